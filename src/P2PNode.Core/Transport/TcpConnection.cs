using System.Net.Sockets;
using P2PNode.Identity;

namespace P2PNode.Transport;

/// <summary>An authenticated Noise channel over one TCP socket.</summary>
internal sealed class TcpConnection : IFrameConnection
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SecureChannel _channel;
    private readonly Action? _onClose;
    private int _disposed;

    public TcpConnection(Socket socket, NetworkStream stream, SecureChannel channel, PeerId remote, string remoteAddress, bool inbound, Action? onClose)
    {
        _socket = socket;
        _stream = stream;
        _channel = channel;
        RemotePeer = remote;
        RemoteAddress = remoteAddress;
        IsInbound = inbound;
        _onClose = onClose;
    }

    internal SecureChannel Channel => _channel;

    public PeerId RemotePeer { get; }
    public string RemoteAddress { get; }
    public bool IsInbound { get; }

    public ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken ct) => Wrap(_channel.SendAsync(frames, ct));

    public async ValueTask<byte[]?> ReceiveAsync(CancellationToken ct)
    {
        try { return await _channel.ReceiveAsync(ct).ConfigureAwait(false); }
        catch (IOException e) { throw new TransportException(TransportError.ConnectionClosed, $"connection lost: {e.Message}", e); }
    }

    private static async ValueTask Wrap(ValueTask send)
    {
        try { await send.ConfigureAwait(false); }
        catch (IOException e) { throw new TransportException(TransportError.ConnectionClosed, $"connection lost: {e.Message}", e); }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return ValueTask.CompletedTask;
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _stream.Dispose();
        _socket.Dispose();
        _channel.Dispose();
        _onClose?.Invoke();
        return ValueTask.CompletedTask;
    }
}
