using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Peers;
using P2PNode.Transport;
using P2PNode.Wire;

namespace P2PNode.Node;

/// <summary>
/// A running node: owns the transport, the live peer sessions and the metrics. Accepts inbound connections,
/// dials peers, routes application messages to the handler registered for their type range (<see cref="Register"/>), and on shutdown says goodbye
/// (Disconnect with reason Shutdown) to every peer.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    private readonly NodeIdentity _identity;
    private readonly ITransport _transport;
    private readonly TransportOptions _options;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<PeerSession, byte> _sessions = new();
    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<string> _listenAddresses = [];

    public NodeHost(NodeIdentity identity, ITransport transport, TransportOptions options, NodeMetrics metrics, ILogger log)
    {
        _identity = identity;
        _transport = transport;
        _options = options;
        Metrics = metrics;
        _log = log;
    }

    public NodeMetrics Metrics { get; }
    public PeerId PeerId => _identity.PeerId;
    public IReadOnlyList<string> ListenAddresses => _listenAddresses;
    public IReadOnlyCollection<PeerSession> Sessions => _sessions.Keys.ToList();

    /// <summary>Capabilities advertised in Hello (protocols this node serves beyond the base messages).</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>Agent string advertised in Hello, e.g. "p2pnode/0.1.0".</summary>
    public string Agent { get; init; } = "p2pnode";

    /// <summary>Observes every application message (everything but the session's own Ping/Pong/Disconnect/Error),
    /// after the handler registered for its type (<see cref="Register"/>). Components that own message types
    /// register a range instead.</summary>
    public event Func<PeerSession, WireMessage, ValueTask>? MessageReceived;

    /// <summary>Raised once a session is up (inbound or outbound) and once it has ended.</summary>
    public event Action<PeerSession>? SessionStarted, SessionEnded;

    public async Task<IReadOnlyList<string>> StartAsync(CancellationToken ct)
    {
        _listenAddresses = await _transport.ListenAsync(OnInboundAsync, ct).ConfigureAwait(false);
        if (_log.IsEnabled(LogLevel.Information)) _log.Listening(PeerId, string.Join(", ", _listenAddresses));
        return _listenAddresses;
    }

    public async Task<PeerSession> ConnectAsync(string address, PeerId? expected, CancellationToken ct)
    {
        var connection = await _transport.DialAsync(address, expected, ct).ConfigureAwait(false);
        return await AdoptAsync(connection, ct).ConfigureAwait(false);
    }

    private async Task OnInboundAsync(IFrameConnection connection)
    {
        try { await AdoptAsync(connection, _stop.Token).ConfigureAwait(false); }
        catch (SessionException) { /* logged and counted by the session */ }
        catch (OperationCanceledException) { await connection.DisposeAsync().ConfigureAwait(false); }
    }

    private async Task<PeerSession> AdoptAsync(IFrameConnection connection, CancellationToken ct)
    {
        if (Refusal(connection.RemotePeer, null) is { } early) await RefuseAsync(connection, null, early).ConfigureAwait(false);
        if (WrapConnection is { } wrap) connection = wrap(connection);
        var session = await PeerSession.EstablishAsync(connection, HelloFor, _options, Metrics, _log, ct).ConfigureAwait(false);
        if (Refusal(session.RemotePeer, session.RemoteHello) is { } late) await RefuseAsync(connection, session, late).ConfigureAwait(false);
        _sessions[session] = 0;
        session.Start(DispatchAsync);
        _log.SessionStarted(session.IsInbound ? "inbound" : "outbound", session.RemotePeer, session.RemoteAddress, session.RemoteHello.Agent);
        SessionStarted?.Invoke(session);
        _ = session.Completion.ContinueWith(_ =>
        {
            _sessions.TryRemove(session, out byte _);
            _log.SessionEnded(session.RemotePeer.Short, session.EndReason, session.EndMessage);
            SessionEnded?.Invoke(session);
        }, TaskScheduler.Default);
        return session;
    }

    private Hello HelloFor(string observedRemote) => new(
        ProtocolVersion.Major, ProtocolVersion.Minor, PeerId.ToString(), _listenAddresses, Capabilities, Agent, observedRemote);

    private ValueTask DispatchAsync(PeerSession session, WireMessage message)
    {
        if (AcceptMessage is { } accept && !accept(session, message))
        {
            Metrics.Increment("messages_ignored_filtered");
            return ValueTask.CompletedTask;
        }
        var handled = HandlerFor(message.Type) is { } handler ? handler(session, message) : ValueTask.CompletedTask;
        if (MessageReceived is not { } observers) return handled;
        return handled.IsCompletedSuccessfully ? observers(session, message) : BothAsync(handled, observers, session, message);
    }

    private static async ValueTask BothAsync(ValueTask handled, Func<PeerSession, WireMessage, ValueTask> observers, PeerSession s, WireMessage m)
    {
        await handled.ConfigureAwait(false);
        await observers(s, m).ConfigureAwait(false);
    }

    // ---- Handlers by declared message-type range ----

    // Copy-on-write, like the admission checks below: dispatch reads the array without a lock; the gate only
    // serialises registrations (handlers and admission checks).
    private (MessageTypeRange Range, Func<PeerSession, WireMessage, ValueTask> Handler)[] _handlers = [];
    private readonly Lock _hooksGate = new();

    /// <summary>Registers the handler of every application message whose type is in <paramref name="range"/>.
    /// A range overlapping one already registered is refused (InvalidOperationException), so two components can
    /// never both claim a message type. Disposing the result unregisters.</summary>
    public IDisposable Register(MessageTypeRange range, Func<PeerSession, WireMessage, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (range.First > range.Last) throw new ArgumentException($"empty message type range {range}", nameof(range));
        lock (_hooksGate)
        {
            foreach (var (taken, _) in _handlers)
                if (taken.Overlaps(range))
                    throw new InvalidOperationException($"message types {range} overlap the registered range {taken}");
            _handlers = [.. _handlers, (range, handler)];
        }
        return new Registration(this, range);
    }

    private Func<PeerSession, WireMessage, ValueTask>? HandlerFor(MessageType type)
    {
        foreach (var (range, handler) in Volatile.Read(ref _handlers))
            if (range.Contains(type)) return handler;
        return null;
    }

    private sealed class Registration(NodeHost host, MessageTypeRange range) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            lock (host._hooksGate) host._handlers = host._handlers.Where(h => h.Range != range).ToArray();
        }
    }

    // ---- Admission and filtering hooks (peer scoring, bans, permissioned mode; docs/transfer.md) ----

    private Func<PeerId, Hello?, Disconnect?>[] _admissions = [];

    /// <summary>Adds an admission check. Each runs twice per connection: right after the transport proved the
    /// peer's identity (Hello null: refuse what the id alone decides, e.g. bans and id allowlists) and after the
    /// Hello exchange (Hello given: e.g. membership certificates). Non-null refuses: the Disconnect is sent and
    /// the connection closed; counted as session_refused_&lt;reason&gt;.</summary>
    public void AddAdmission(Func<PeerId, Hello?, Disconnect?> check)
    {
        lock (_hooksGate) _admissions = [.. _admissions, check];
    }

    /// <summary>Wraps every new connection before the session uses it (per-peer rate limiting).</summary>
    public Func<IFrameConnection, IFrameConnection>? WrapConnection { get; set; }

    /// <summary>False drops an application message before <see cref="MessageReceived"/> (graylisted peers).</summary>
    public Func<PeerSession, WireMessage, bool>? AcceptMessage { get; set; }

    private Disconnect? Refusal(PeerId peer, Hello? hello)
    {
        foreach (var check in Volatile.Read(ref _admissions))
            if (check(peer, hello) is { } refusal) return refusal;
        return null;
    }

    private async Task RefuseAsync(IFrameConnection connection, PeerSession? session, Disconnect refusal)
    {
        Metrics.Increment("session_refused_" + TransportException.ToSnake(refusal.Reason.ToString()));
        _log.Refused(connection.RemotePeer, connection.RemoteAddress, refusal.Reason, refusal.Message);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await connection.SendAsync([WireCodec.Encode(refusal)], timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TransportException or OperationCanceledException or IOException or ObjectDisposedException) { }
        if (session is not null) await session.DisposeAsync().ConfigureAwait(false);
        else await connection.DisposeAsync().ConfigureAwait(false);
        throw new SessionException(refusal.Reason, $"refused {connection.RemotePeer}: {refusal.Message}");
    }

    /// <summary>Graceful shutdown: stop accepting, send Disconnect(Shutdown) to every peer, close.</summary>
    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        await _transport.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_sessions.Keys.Select(s => s.CloseAsync(DisconnectReason.Shutdown, "node shutting down"))).ConfigureAwait(false);
        _log.Stopped(PeerId.Short);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
