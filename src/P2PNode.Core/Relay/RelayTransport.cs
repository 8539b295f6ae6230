using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Transport;
using P2PNode.Wire;
using P2PNode.Wire.Relay;

namespace P2PNode.Relay;

/// <summary>
/// Makes "relay:…" addresses (<see cref="RelayAddress"/>) dialable and accepts circuits relayed to this node,
/// wrapping the node's ordinary transport: other addresses go to the inner transport unchanged. A relayed dial
/// reuses (or opens) the session to the relay, asks it for a circuit, and runs the ordinary Noise XX handshake
/// end to end over it; an incoming circuit — accepted only from a relay this node holds a reservation with —
/// goes through the same handshake as responder and reaches the node as an inbound connection. It also routes
/// every relay message of the node: relay-side ones to the <see cref="RelayService"/> (or refuses them when
/// there is none), end-side ones here; circuit messages for unknown ids are refused and counted.
/// </summary>
public sealed class RelayTransport : ITransport
{
    private readonly ITransport _inner;
    private readonly NodeIdentity _identity;
    private readonly TransportOptions _options;
    private readonly RelayClientOptions _client;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _log;
    private readonly NoiseStaticKey _staticKey = NoiseStaticKey.Generate();
    private readonly ConcurrentDictionary<(PeerSession, ulong), CircuitStream> _ends = new();
    private readonly ConcurrentDictionary<(PeerSession, ulong), TaskCompletionSource<CircuitClose?>> _opening = new();
    private readonly ConcurrentDictionary<PeerSession, TaskCompletionSource<WireMessage>> _reserving = new();
    private readonly ConcurrentDictionary<PeerId, PeerSession> _reservedOn = new();
    private Func<IFrameConnection, Task>? _onInbound;
    private NodeHost? _host;
    private IDisposable? _registration;
    private RelayService? _service;
    private int _inboundCircuits;

    public RelayTransport(ITransport inner, NodeIdentity identity, TransportOptions options, NodeMetrics metrics, ILogger log, RelayClientOptions? client = null)
    {
        _inner = inner;
        _identity = identity;
        _options = options;
        _client = client ?? new RelayClientOptions();
        _metrics = metrics;
        _log = log;
    }

    /// <summary>Connects to the node that owns this transport (it dials relays through it and gets relay
    /// messages from it); with <paramref name="service"/>, this node also relays for others.</summary>
    public void Attach(NodeHost host, RelayService? service = null)
    {
        if (_host is not null) throw new InvalidOperationException("already attached");
        _host = host;
        _service = service;
        if (service is not null) service.OtherSession = (peer, ended) => LiveSession(peer, except: ended);
        _registration = host.Register(MessageTypeRange.Relay, OnMessageAsync);
        host.SessionEnded += OnSessionEnded;
    }

    /// <summary>Relays this node currently holds a reservation with (and will accept circuits from).</summary>
    public IReadOnlyCollection<PeerId> ReservedRelays => _reservedOn.Keys.ToList();

    public Task<IReadOnlyList<string>> ListenAsync(Func<IFrameConnection, Task> onInbound, CancellationToken ct)
    {
        _onInbound = onInbound;
        return _inner.ListenAsync(onInbound, ct);
    }

    public Task<IFrameConnection> DialAsync(string address, PeerId? expected, CancellationToken ct) =>
        RelayAddress.IsRelayed(address) ? DialRelayedAsync(address, expected, ct) : _inner.DialAsync(address, expected, ct);

    // ---- Reservations (the reserving node's side) ----

    /// <summary>Asks the relay at the other end of <paramref name="relaySession"/> for a reservation (or renews it).
    /// Throws <see cref="RelayException"/> when refused, <see cref="TimeoutException"/> without an answer.</summary>
    public async Task<ReserveOk> ReserveAsync(PeerSession relaySession, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<WireMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_reserving.TryAdd(relaySession, tcs)) throw new InvalidOperationException("a reservation is already being requested on this session");
        try
        {
            if (!relaySession.TrySend(new ReserveRequest()))
                throw new RelayException(RelayStatus.PeerGone, "the session to the relay is closed or its queue is full");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_client.OpenTimeout);
            WireMessage answer;
            try { answer = await tcs.Task.WaitAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"no reservation answer from {relaySession.RemotePeer.Short} within {_client.OpenTimeout.TotalSeconds:0.#} s");
            }
            switch (answer)
            {
                case ReserveOk ok:
                    _reservedOn[relaySession.RemotePeer] = relaySession;
                    _metrics.Increment("relay_reservations_made");
                    return ok;
                case ReserveRefused refused:
                    _metrics.Increment("relay_reservation_denied_" + TransportException.ToSnake(refused.Status.ToString()));
                    throw new RelayException(refused.Status, $"{relaySession.RemotePeer.Short} refused the reservation ({refused.Status}): {refused.Message}");
                default:
                    throw new RelayException(RelayStatus.PeerGone, "the session to the relay ended");
            }
        }
        finally { _reserving.TryRemove(relaySession, out _); }
    }

    // ---- Dialing through a relay ----

    private async Task<IFrameConnection> DialRelayedAsync(string address, PeerId? expected, CancellationToken ct)
    {
        if (!RelayAddress.TryParse(address, out var relayed, out var error))
            throw new TransportException(TransportError.DialFailed, $"'{address}': {error}");
        if (expected is { } want && !want.Equals(relayed.Target))
            throw new TransportException(TransportError.IdentityMismatch, $"dialled {want} but the relayed address names {relayed.Target}");
        var host = _host ?? throw new TransportException(TransportError.DialFailed, "relayed dial before the relay transport was attached to a node");
        if (relayed.Target.Equals(_identity.PeerId) || relayed.Relay.Equals(_identity.PeerId))
            throw new TransportException(TransportError.DialFailed, $"'{address}' leads to this node");

        var session = LiveSession(relayed.Relay, except: null);
        if (session is null)
        {
            try { session = await host.ConnectAsync(relayed.RelayEndpoint, relayed.Relay, ct).ConfigureAwait(false); }
            catch (SessionException e) { throw new TransportException(TransportError.DialFailed, $"relay {relayed.Relay.Short}: {e.Message}", e); }
        }
        if (!session.RemoteHello.Capabilities.Contains(RelayService.Capability))
            throw Fail("disabled", $"{relayed.Relay.Short} does not offer relay service ({RelayService.Capability})");

        var id = NewId(session);
        var opened = new TaskCompletionSource<CircuitClose?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = new CircuitStream(session, id, _client.MaxBufferedBytes, OnEndClosed);
        _ends[(session, id)] = stream;
        _opening[(session, id)] = opened;
        try
        {
            if (!session.TrySend(new ConnectRequest(id, relayed.Target)))
                throw Fail("flow_control", "the session to the relay is closed or its queue is full");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_client.OpenTimeout);
            CircuitClose? refusal;
            try { refusal = await opened.Task.WaitAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw Fail("timeout", $"relay {relayed.Relay.Short} did not open the circuit within {_client.OpenTimeout.TotalSeconds:0.#} s");
            }
            if (refusal is not null)
                throw Fail(TransportException.ToSnake(refusal.Status.ToString()), $"relay {relayed.Relay.Short} refused the circuit to {relayed.Target.Short} ({refusal.Status}): {refusal.Message}");

            var result = await HandshakeAsync(stream, initiator: true, relayed.Target, ct).ConfigureAwait(false);
            _metrics.Increment("relay_dials_completed");
            _log.RelayedConnection(relayed.Target.Short, relayed.Relay.Short);
            return new RelayedConnection(stream, result.Channel, result.RemotePeer, address, inbound: false);
        }
        catch
        {
            _opening.TryRemove((session, id), out _);
            stream.Close(RelayStatus.Normal, "dial abandoned");
            throw;
        }
    }

    private TransportException Fail(string reason, string message)
    {
        _metrics.Increment("relay_dial_failed_" + reason);
        _log.RelayedDialFailed(reason, message);
        return new TransportException(TransportError.DialFailed, message);
    }

    private async Task<NoiseHandshake.Result> HandshakeAsync(CircuitStream stream, bool initiator, PeerId? expected, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.HandshakeTimeout);
        try
        {
            return await NoiseHandshake.RunAsync(stream, initiator, _identity, _staticKey, expected, _options.MaxFrameSize, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TransportException(TransportError.HandshakeTimeout, $"relayed handshake not finished within {_options.HandshakeTimeout.TotalSeconds:0.#} s");
        }
        catch (IOException e)
        {
            throw new TransportException(TransportError.HandshakeFailed, $"relayed handshake failed: {e.Message}", e);
        }
    }

    // ---- Circuits relayed to this node ----

    private void OnIncoming(PeerSession relaySession, IncomingCircuit incoming)
    {
        var relay = relaySession.RemotePeer;
        string? refusal = null;
        var status = RelayStatus.Refused;
        if (!_reservedOn.ContainsKey(relay)) refusal = $"this node holds no reservation with {relay.Short}";
        else if (_ends.ContainsKey((relaySession, incoming.CircuitId))) (refusal, status) = ("circuit id already in use", RelayStatus.ProtocolViolation);
        else if (Interlocked.Increment(ref _inboundCircuits) > _client.MaxInboundCircuits)
        {
            Interlocked.Decrement(ref _inboundCircuits);
            (refusal, status) = ($"this node accepts at most {_client.MaxInboundCircuits} relayed circuits", RelayStatus.CircuitLimit);
        }
        if (refusal is not null)
        {
            relaySession.TrySend(new CircuitClose(incoming.CircuitId, status, refusal));
            _metrics.Increment("relay_incoming_refused_" + TransportException.ToSnake(status.ToString()));
            _log.IncomingCircuitRefused(incoming.Source.Short, relay.Short, status, refusal);
            return;
        }
        var stream = new CircuitStream(relaySession, incoming.CircuitId, _client.MaxBufferedBytes, s =>
        {
            Interlocked.Decrement(ref _inboundCircuits);
            OnEndClosed(s);
        });
        _ends[(relaySession, incoming.CircuitId)] = stream;
        relaySession.TrySend(new CircuitOpen(incoming.CircuitId));
        _ = Task.Run(() => AcceptAsync(stream, relaySession, incoming.Source));
    }

    private async Task AcceptAsync(CircuitStream stream, PeerSession relaySession, PeerId source)
    {
        var remoteAddress = $"{RelayAddress.Scheme}{relaySession.RemotePeer}@{relaySession.RemoteAddress}/{source}";
        RelayedConnection connection;
        try
        {
            var result = await HandshakeAsync(stream, initiator: false, null, CancellationToken.None).ConfigureAwait(false);
            if (!result.RemotePeer.Equals(source))
            {
                result.Channel.Dispose();
                throw new TransportException(TransportError.IdentityMismatch, $"the relay announced {source.Short} but the peer proved {result.RemotePeer.Short}");
            }
            connection = new RelayedConnection(stream, result.Channel, result.RemotePeer, remoteAddress, inbound: true);
        }
        catch (Exception e) when (e is TransportException or Noise.NoiseException)
        {
            var counter = e is TransportException te ? te.CounterName : "handshake_failed";
            _metrics.Increment("relay_incoming_handshake_" + counter);
            _log.RelayedHandshakeFailed(source.Short, counter, e.Message);
            stream.Close(RelayStatus.Normal, "handshake failed");
            return;
        }
        _metrics.Increment("relay_incoming_circuits_accepted");
        if (_onInbound is { } accept) await accept(connection).ConfigureAwait(false);
        else await connection.DisposeAsync().ConfigureAwait(false);
    }

    // ---- Routing of relay messages ----

    private ValueTask OnMessageAsync(PeerSession session, WireMessage message)
    {
        if (_service is { } service && service.Handle(session, message)) return ValueTask.CompletedTask;
        switch (message)
        {
            case ReserveRequest:
                session.TrySend(new ReserveRefused(RelayStatus.Disabled, "this node does not offer relay service"));
                _metrics.Increment("relay_reservation_refused_disabled");
                break;
            case ConnectRequest c:
                session.TrySend(new CircuitClose(c.CircuitId, RelayStatus.Disabled, "this node does not offer relay service"));
                _metrics.Increment("relay_circuit_refused_disabled");
                break;
            case ReserveOk or ReserveRefused:
                if (_reserving.TryGetValue(session, out var pending)) pending.TrySetResult(message);
                else Unexpected(session, message, "no reservation was requested");
                break;
            case IncomingCircuit incoming:
                OnIncoming(session, incoming);
                break;
            case CircuitOpen open:
                if (_opening.TryRemove((session, open.CircuitId), out var opening)) opening.TrySetResult(null);
                else UnknownCircuit(session, open.CircuitId, reply: true);
                break;
            case CircuitData data:
                if (!_ends.TryGetValue((session, data.CircuitId), out var end)) UnknownCircuit(session, data.CircuitId, reply: true);
                else if (_opening.ContainsKey((session, data.CircuitId)))
                {
                    _metrics.Increment("relay_circuit_protocol_violation");
                    end.Close(RelayStatus.ProtocolViolation, "data before the circuit was open");
                }
                else if (!end.Deliver(data.Data))
                {
                    _metrics.Increment("relay_circuit_flow_control");
                    _log.CircuitOverflow(data.CircuitId, session.RemotePeer.Short, _client.MaxBufferedBytes);
                    end.Close(RelayStatus.FlowControl, $"more than {_client.MaxBufferedBytes} bytes unread");
                }
                break;
            case CircuitClose close:
                if (_opening.TryRemove((session, close.CircuitId), out var refused)) refused.TrySetResult(close);
                if (_ends.TryGetValue((session, close.CircuitId), out var closing)) closing.MarkClosed(close.Status, close.Message);
                else if (refused is null) UnknownCircuit(session, close.CircuitId, reply: false); // never answer a close: no ping-pong
                break;
        }
        return ValueTask.CompletedTask;
    }

    private void UnknownCircuit(PeerSession session, ulong id, bool reply)
    {
        _metrics.Increment("relay_unknown_circuit");
        _log.UnknownCircuitMessage(session.RemotePeer.Short, id);
        if (reply) session.TrySend(new CircuitClose(id, RelayStatus.UnknownCircuit, "no such circuit"));
    }

    private void Unexpected(PeerSession session, WireMessage message, string why)
    {
        _metrics.Increment("relay_unexpected_message");
        _log.UnexpectedRelayMessage(session.RemotePeer.Short, message.Type, why);
    }

    private void OnEndClosed(CircuitStream stream) => _ends.TryRemove((stream.Session, stream.Id), out _);

    private void OnSessionEnded(PeerSession session)
    {
        _service?.OnSessionEnded(session);
        foreach (var key in _ends.Keys.Where(k => k.Item1 == session).ToList())
            if (_ends.TryGetValue(key, out var end)) end.MarkClosed(RelayStatus.PeerGone, "the session to the relay ended");
        foreach (var key in _opening.Keys.Where(k => k.Item1 == session).ToList())
            if (_opening.TryRemove(key, out var tcs)) tcs.TrySetResult(new CircuitClose(key.Item2, RelayStatus.PeerGone, "the session to the relay ended"));
        if (_reserving.TryRemove(session, out var pending)) pending.TrySetResult(new CircuitClose(0, RelayStatus.PeerGone, "session ended"));
        if (_reservedOn.TryGetValue(session.RemotePeer, out var reserved) && reserved == session)
        {
            // A duplicate session closed: the relay moves the reservation to the survivor, and so do we.
            if (LiveSession(session.RemotePeer, except: session) is { } survivor) _reservedOn[session.RemotePeer] = survivor;
            else _reservedOn.TryRemove(new KeyValuePair<PeerId, PeerSession>(session.RemotePeer, session));
        }
    }

    private PeerSession? LiveSession(PeerId peer, PeerSession? except) => _host?.Sessions.FirstOrDefault(s =>
        s != except && s.RemotePeer.Equals(peer) && !s.Completion.IsCompleted && !RelayAddress.IsRelayed(s.RemoteAddress));

    private ulong NewId(PeerSession session)
    {
        Span<byte> b = stackalloc byte[8];
        while (true)
        {
            RandomNumberGenerator.Fill(b);
            var id = BitConverter.ToUInt64(b) | 1;
            if (!_ends.ContainsKey((session, id))) return id;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is { } host)
        {
            _registration?.Dispose();
            host.SessionEnded -= OnSessionEnded;
        }
        await _inner.DisposeAsync().ConfigureAwait(false);
    }
}
