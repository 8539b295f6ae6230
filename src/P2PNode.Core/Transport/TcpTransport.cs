using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Metrics;

namespace P2PNode.Transport;

/// <summary>
/// TCP listener and dialer producing Noise-authenticated <see cref="IFrameConnection"/>s. Enforces the inbound
/// limits at accept time and a deadline on the whole handshake; every refusal is logged with its reason and
/// counted in <see cref="NodeMetrics"/>.
/// </summary>
public sealed class TcpTransport : ITransport
{
    private readonly NodeIdentity _identity;
    private readonly TransportOptions _options;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _log;
    private readonly NoiseStaticKey _staticKey = NoiseStaticKey.Generate();
    private readonly InboundLimiter _limiter;
    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _acceptLoops = [];

    public TcpTransport(NodeIdentity identity, TransportOptions options, NodeMetrics metrics, ILogger log)
    {
        _identity = identity;
        _options = options;
        _metrics = metrics;
        _log = log;
        _limiter = new InboundLimiter(options.MaxInbound, options.MaxInboundPerAddress);
    }

    /// <summary>Extra admission check run right after the remote proves its identity (allowlists, bans).
    /// Returns null to admit, else the reason to refuse.</summary>
    public Func<PeerId, string?>? Admit { get; init; }

    public async Task<IReadOnlyList<string>> ListenAsync(Func<IFrameConnection, Task> onInbound, CancellationToken ct)
    {
        var bound = new List<string>();
        foreach (var address in _options.Listen)
        {
            var endpoint = await Endpoints.ResolveAsync(address, ct).ConfigureAwait(false);
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            AllowRebindAfterRestart(socket);
            socket.Bind(endpoint);
            socket.Listen(512);
            _listeners.Add(socket);
            bound.Add(Endpoints.Format((IPEndPoint)socket.LocalEndPoint!));
            // Not ct: the accept loops live until the transport is disposed (_stop), not until listening returns.
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(socket, onInbound), CancellationToken.None));
        }
        return bound;
    }

    // A restarted node must bind its port while the old connections sit in TIME_WAIT: SO_REUSEADDR. On Linux, .NET's
    // ReuseAddress option also sets SO_REUSEPORT, which lets a second node bind the same port and silently take half
    // the inbound connections, so there the plain option is set (SOL_SOCKET = 1, SO_REUSEADDR = 2).
    private static void AllowRebindAfterRestart(Socket socket)
    {
        if (OperatingSystem.IsLinux()) socket.SetRawSocketOption(1, 2, BitConverter.GetBytes(1));
        else socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
    }

    private async Task AcceptLoopAsync(Socket listener, Func<IFrameConnection, Task> onInbound)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e) { _log.AcceptFailed(e.SocketErrorCode); continue; }
            _ = Task.Run(() => HandleInboundAsync(socket, onInbound));
        }
    }

    private async Task HandleInboundAsync(Socket socket, Func<IFrameConnection, Task> onInbound)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        var remoteText = Endpoints.Format(remote);
        var refusal = _limiter.TryAcquire(remote.Address);
        if (refusal is not null)
        {
            _metrics.Increment("inbound_refused_limit");
            _log.InboundRefused(remoteText, refusal);
            socket.Dispose();
            return;
        }
        var released = 0;
        void Release() { if (Interlocked.Exchange(ref released, 1) == 0) _limiter.Release(remote.Address); }
        IFrameConnection? connection = null;
        try
        {
            connection = await HandshakeAsync(socket, inbound: true, remoteText, expected: null, Release).ConfigureAwait(false);
            _metrics.Increment("inbound_handshakes_completed");
        }
        catch (Exception e) when (e is TransportException or IOException or SocketException or OperationCanceledException)
        {
            Release();
            LogFailure("inbound", remoteText, e);
            return;
        }
        await onInbound(connection).ConfigureAwait(false);
    }

    public async Task<IFrameConnection> DialAsync(string address, PeerId? expected, CancellationToken ct)
    {
        Socket? socket = null;
        try
        {
            var endpoint = await Endpoints.ResolveAsync(address, ct).ConfigureAwait(false);
            socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
            timeout.CancelAfter(_options.HandshakeTimeout);
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException)
        {
            socket?.Dispose();
            _metrics.Increment("dial_failed");
            if (ct.IsCancellationRequested) throw;
            throw new TransportException(TransportError.DialFailed, $"cannot connect to {address}: {e.Message}", e);
        }
        try
        {
            var connection = await HandshakeAsync(socket, inbound: false, address, expected, null, ct).ConfigureAwait(false);
            _metrics.Increment("outbound_handshakes_completed");
            return connection;
        }
        catch (Exception e) when (e is TransportException or IOException or SocketException or OperationCanceledException)
        {
            LogFailure("outbound", address, e);
            if (e is TransportException) throw;
            if (ct.IsCancellationRequested) throw;
            throw new TransportException(e is OperationCanceledException ? TransportError.HandshakeTimeout : TransportError.HandshakeFailed,
                $"handshake with {address} failed: {e.Message}", e);
        }
    }

    private async Task<IFrameConnection> HandshakeAsync(Socket socket, bool inbound, string remoteText, PeerId? expected,
        Action? onClose, CancellationToken ct = default)
    {
        socket.NoDelay = true;
        var stream = new NetworkStream(socket, ownsSocket: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        deadline.CancelAfter(_options.HandshakeTimeout);
        try
        {
            NoiseHandshake.Result result;
            try
            {
                result = await NoiseHandshake.RunAsync(stream, !inbound, _identity, _staticKey, expected, _options.MaxFrameSize, deadline.Token)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TransportException(TransportError.HandshakeTimeout, $"handshake not finished within {_options.HandshakeTimeout.TotalSeconds:0.#} s");
            }
            if (Admit?.Invoke(result.RemotePeer) is { } refusal)
            {
                result.Channel.Dispose();
                throw new TransportException(TransportError.NotAllowed, $"{result.RemotePeer} refused: {refusal}");
            }
            return new TcpConnection(socket, stream, result.Channel, result.RemotePeer, remoteText, inbound, onClose);
        }
        catch
        {
            stream.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private void LogFailure(string direction, string remote, Exception e)
    {
        var counter = e is TransportException te ? te.CounterName
            : e is OperationCanceledException ? "handshake_timeout" : "handshake_failed";
        _metrics.Increment(counter);
        _log.HandshakeFailed(direction, remote, counter, e.Message);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var l in _listeners) l.Dispose();
        try { await Task.WhenAll(_acceptLoops).ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
