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
/// The relay side of circuit relay (docs/protocol.md, "Relay"): holds reservations for peers that cannot accept
/// connections, opens circuits to them on request and splices <see cref="CircuitData"/> between the two legs
/// without looking inside (the ends run Noise through it). Every limit of <see cref="RelayServiceOptions"/> is
/// enforced here; every refusal and every closed circuit is logged and counted as relay_*_&lt;status&gt;.
/// Messages arrive through <see cref="RelayTransport"/>, which routes the relay messages of a node.
/// </summary>
public sealed class RelayService : IAsyncDisposable
{
    /// <summary>Hello capability of a node that offers this service.</summary>
    public const string Capability = "relay/1";

    private sealed class Reservation(PeerSession session, long expiresMs)
    {
        public PeerSession Session { get; set; } = session;
        public long ExpiresMs { get; set; } = expiresMs;
        public int Circuits { get; set; }
    }

    private sealed class Circuit(PeerSession source, ulong sourceId, PeerSession target, ulong targetId, PeerId targetPeer, long createdMs)
    {
        public PeerSession Source { get; } = source;
        public ulong SourceId { get; } = sourceId;
        public PeerSession Target { get; } = target;
        public ulong TargetId { get; } = targetId;
        public PeerId TargetPeer { get; } = targetPeer;
        public long CreatedMs { get; } = createdMs;
        public long OpenedMs { get; set; }
        public bool Open { get; set; }
        public long Bytes { get; set; }
    }

    private readonly RelayServiceOptions _options;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _log;
    private readonly Func<string> _advertised;
    private readonly object _gate = new();
    private readonly Dictionary<PeerId, Reservation> _reservations = [];
    private readonly Dictionary<(PeerSession, ulong), Circuit> _legs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sweeper;

    /// <param name="advertisedAddress">This relay's own dialable address ("host:port"), used to build the
    /// relayed addresses handed out in <see cref="ReserveOk"/>.</param>
    public RelayService(RelayServiceOptions options, NodeMetrics metrics, ILogger log, Func<string> advertisedAddress, PeerId self)
    {
        options.Validate();
        _options = options;
        _metrics = metrics;
        _log = log;
        _advertised = advertisedAddress;
        Self = self;
        _sweeper = Task.Run(SweepLoopAsync);
    }

    public PeerId Self { get; }
    public RelayServiceOptions Options => _options;

    /// <summary>Another live direct session with a peer, if any. Set by <see cref="RelayTransport.Attach"/>: when two
    /// sessions with a reserving peer race (both dialled at start-up) and one is closed as a duplicate, the
    /// reservation moves to the survivor instead of being lost.</summary>
    internal Func<PeerId, PeerSession, PeerSession?> OtherSession { get; set; } = (_, _) => null;

    public int ReservationCount { get { lock (_gate) return _reservations.Count; } }
    public int CircuitCount { get { lock (_gate) return _legs.Count / 2; } }

    private static long NowMs => Environment.TickCount64;

    /// <summary>Handles a relay message from <paramref name="session"/> if it belongs to the relay side; false
    /// leaves it to the client side (a circuit this node is an end of, or an unknown one).</summary>
    internal bool Handle(PeerSession session, WireMessage message)
    {
        switch (message)
        {
            case ReserveRequest: OnReserve(session); return true;
            case ConnectRequest c: OnConnect(session, c); return true;
            case CircuitOpen o: return OnOpen(session, o);
            case CircuitData d: return OnData(session, d);
            case CircuitClose c: return OnClose(session, c);
            default: return false;
        }
    }

    private void OnReserve(PeerSession session)
    {
        var peer = session.RemotePeer;
        if (RelayAddress.IsRelayed(session.RemoteAddress))
        {
            RefuseReservation(session, RelayStatus.Disabled, "reservations over a relayed connection are not offered");
            return;
        }
        var ttl = _options.ReservationTtl;
        lock (_gate)
        {
            if (_reservations.TryGetValue(peer, out var existing))
            {
                existing.Session = session;
                existing.ExpiresMs = NowMs + (long)ttl.TotalMilliseconds;
            }
            else if (_reservations.Count >= _options.MaxReservations)
            {
                RefuseReservation(session, RelayStatus.ReservationLimit, $"this relay holds its maximum of {_options.MaxReservations} reservations");
                return;
            }
            else _reservations[peer] = new Reservation(session, NowMs + (long)ttl.TotalMilliseconds);
        }
        var expires = DateTimeOffset.UtcNow.Add(ttl).ToUnixTimeMilliseconds();
        var address = new RelayAddress(Self, _advertised(), peer).ToString();
        // Counted before the answer leaves, so whoever holds the answer also sees the count.
        _metrics.Increment("relay_reservations_accepted");
        session.TrySend(new ReserveOk((ulong)expires, address, (ulong)_options.MaxCircuitBytes,
            (uint)_options.MaxCircuitDuration.TotalSeconds, (uint)_options.MaxCircuitsPerReservation));
        if (_log.IsEnabled(LogLevel.Information)) _log.ReservationGranted(peer.Short, DateTimeOffset.FromUnixTimeMilliseconds(expires), address);
    }

    private void RefuseReservation(PeerSession session, RelayStatus status, string message)
    {
        _metrics.Increment("relay_reservation_refused_" + Snake(status));
        session.TrySend(new ReserveRefused(status, message));
        _log.ReservationRefused(session.RemotePeer.Short, status, message);
    }

    private void OnConnect(PeerSession source, ConnectRequest request)
    {
        if (RelayAddress.IsRelayed(source.RemoteAddress))
        {
            RefuseCircuit(source, request.CircuitId, RelayStatus.Disabled, "circuits over a relayed connection are not offered");
            return;
        }
        Circuit circuit;
        lock (_gate)
        {
            if (_legs.ContainsKey((source, request.CircuitId)))
            {
                RefuseCircuit(source, request.CircuitId, RelayStatus.ProtocolViolation, "circuit id already in use on this session");
                return;
            }
            if (request.Target.Equals(source.RemotePeer) || request.Target.Equals(Self))
            {
                RefuseCircuit(source, request.CircuitId, RelayStatus.ProtocolViolation, "a circuit must lead to a third peer");
                return;
            }
            if (_reservations.TryGetValue(request.Target, out var held) && held.Session.EndReason is not null
                && OtherSession(request.Target, held.Session) is { } survivor)
                held.Session = survivor; // the reservation's session is closing (a duplicate): use the one that stays
            if (!_reservations.TryGetValue(request.Target, out var reservation) || reservation.ExpiresMs <= NowMs || reservation.Session.EndReason is not null)
            {
                RefuseCircuit(source, request.CircuitId, RelayStatus.NoReservation, $"{request.Target.Short} holds no reservation here");
                return;
            }
            if (reservation.Circuits >= _options.MaxCircuitsPerReservation)
            {
                RefuseCircuit(source, request.CircuitId, RelayStatus.CircuitLimit, $"{request.Target.Short} already has {reservation.Circuits} circuits");
                return;
            }
            if (_legs.Count / 2 >= _options.MaxCircuits)
            {
                RefuseCircuit(source, request.CircuitId, RelayStatus.CircuitLimit, $"this relay carries its maximum of {_options.MaxCircuits} circuits");
                return;
            }
            ulong targetId;
            do targetId = RandomId(); while (_legs.ContainsKey((reservation.Session, targetId)));
            circuit = new Circuit(source, request.CircuitId, reservation.Session, targetId, request.Target, NowMs);
            _legs[(source, request.CircuitId)] = circuit;
            _legs[(reservation.Session, targetId)] = circuit;
            reservation.Circuits++;
        }
        _metrics.Increment("relay_circuits_requested");
        if (!circuit.Target.TrySend(new IncomingCircuit(circuit.TargetId, source.RemotePeer)))
            CloseCircuit(circuit, circuit.Target.EndReason is null ? RelayStatus.FlowControl : RelayStatus.PeerGone,
                circuit.Target.EndReason is null ? "the target's queue is full" : "the target's session is closing", from: null);
    }

    private void RefuseCircuit(PeerSession source, ulong id, RelayStatus status, string message)
    {
        _metrics.Increment("relay_circuit_refused_" + Snake(status));
        source.TrySend(new CircuitClose(id, status, message));
        _log.CircuitRefusedByRelay(source.RemotePeer.Short, status, message);
    }

    private bool OnOpen(PeerSession session, CircuitOpen open)
    {
        Circuit? circuit;
        lock (_gate)
        {
            if (!_legs.TryGetValue((session, open.CircuitId), out circuit)) return false;
            if (circuit.Target == session && !circuit.Open)
            {
                circuit.Open = true;
                circuit.OpenedMs = NowMs;
            }
            else circuit = null;
        }
        if (circuit is null)
        {
            var bad = Find(session, open.CircuitId);
            if (bad is not null) CloseCircuit(bad, RelayStatus.ProtocolViolation, "CircuitOpen from the wrong end or twice", from: null);
            return true;
        }
        _metrics.Increment("relay_circuits_opened");
        circuit.Source.TrySend(new CircuitOpen(circuit.SourceId));
        _log.CircuitOpened(circuit.Source.RemotePeer.Short, circuit.TargetPeer.Short);
        return true;
    }

    private bool OnData(PeerSession session, CircuitData data)
    {
        Circuit? circuit;
        RelayStatus? violation = null;
        lock (_gate)
        {
            if (!_legs.TryGetValue((session, data.CircuitId), out circuit)) return false;
            if (!circuit.Open) violation = RelayStatus.ProtocolViolation;
            else if ((circuit.Bytes += data.Data.Length) > _options.MaxCircuitBytes) violation = RelayStatus.DataLimit;
        }
        if (violation is { } v)
        {
            CloseCircuit(circuit, v, v == RelayStatus.DataLimit ? $"the circuit carried more than {_options.MaxCircuitBytes} bytes" : "data before the circuit was open", from: null);
            return true;
        }
        var (next, nextId) = session == circuit.Source ? (circuit.Target, circuit.TargetId) : (circuit.Source, circuit.SourceId);
        if (!next.TrySend(new CircuitData(nextId, data.Data)))
        {
            CloseCircuit(circuit, RelayStatus.FlowControl, "the next hop's queue is full", from: null);
            return true;
        }
        _metrics.Increment("relay_bytes_forwarded", data.Data.Length);
        return true;
    }

    private bool OnClose(PeerSession session, CircuitClose close)
    {
        var circuit = Find(session, close.CircuitId);
        if (circuit is null) return false;
        CloseCircuit(circuit, close.Status, close.Message, from: session);
        return true;
    }

    private Circuit? Find(PeerSession session, ulong id)
    {
        lock (_gate) return _legs.GetValueOrDefault((session, id));
    }

    /// <summary>Removes the circuit and tells both legs (except the one that closed it).</summary>
    private void CloseCircuit(Circuit circuit, RelayStatus status, string message, PeerSession? from)
    {
        lock (_gate)
        {
            if (!_legs.Remove((circuit.Source, circuit.SourceId))) return;
            _legs.Remove((circuit.Target, circuit.TargetId));
            if (_reservations.TryGetValue(circuit.TargetPeer, out var reservation) && reservation.Circuits > 0) reservation.Circuits--;
        }
        var counter = circuit.Open ? "relay_circuit_closed_" : "relay_circuit_refused_";
        _metrics.Increment(counter + Snake(status));
        if (from != circuit.Source) circuit.Source.TrySend(new CircuitClose(circuit.SourceId, status, message));
        if (from != circuit.Target) circuit.Target.TrySend(new CircuitClose(circuit.TargetId, status, message));
        var level = status is RelayStatus.Normal or RelayStatus.PeerGone ? LogLevel.Information : LogLevel.Warning;
        _log.CircuitClosed(level, circuit.Source.RemotePeer.Short, circuit.TargetPeer.Short, circuit.Open ? "closed" : "not opened", status,
            circuit.Bytes, message);
    }

    /// <summary>A session ended: its reservation goes, and every circuit with a leg on it is closed.</summary>
    internal void OnSessionEnded(PeerSession session)
    {
        List<Circuit> affected;
        lock (_gate)
        {
            if (_reservations.TryGetValue(session.RemotePeer, out var r) && r.Session == session)
            {
                if (OtherSession(session.RemotePeer, session) is { } survivor) r.Session = survivor;
                else _reservations.Remove(session.RemotePeer);
            }
            affected = _legs.Where(l => l.Key.Item1 == session).Select(l => l.Value).Distinct().ToList();
        }
        foreach (var c in affected) CloseCircuit(c, RelayStatus.PeerGone, "the other end's session ended", from: session);
    }

    private async Task SweepLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)) Sweep();
        }
        catch (OperationCanceledException) { }
    }

    private void Sweep()
    {
        var now = NowMs;
        List<(Circuit, RelayStatus, string)> expired = [];
        lock (_gate)
        {
            foreach (var (peer, r) in _reservations.Where(r => r.Value.ExpiresMs <= now).ToList())
            {
                _reservations.Remove(peer);
                _metrics.Increment("relay_reservations_expired");
            }
            foreach (var c in _legs.Values.Distinct())
            {
                if (!c.Open && now - c.CreatedMs >= _options.OpenTimeout.TotalMilliseconds)
                    expired.Add((c, RelayStatus.Timeout, "the target did not accept the circuit in time"));
                else if (c.Open && now - c.OpenedMs >= _options.MaxCircuitDuration.TotalMilliseconds)
                    expired.Add((c, RelayStatus.DurationLimit, $"circuits last at most {_options.MaxCircuitDuration.TotalSeconds:0} s"));
            }
        }
        foreach (var (c, status, message) in expired) CloseCircuit(c, status, message, from: null);
    }

    private static ulong RandomId()
    {
        Span<byte> b = stackalloc byte[8];
        RandomNumberGenerator.Fill(b);
        return BitConverter.ToUInt64(b) | 1; // never 0
    }

    private static string Snake(RelayStatus status) => TransportException.ToSnake(status.ToString());

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        await _sweeper.ConfigureAwait(false);
        _stop.Dispose();
    }
}
