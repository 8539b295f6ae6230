using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Transport;
using P2PNode.Wire;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay;

/// <summary>
/// Runs an <see cref="OverlayNode"/> on a real <see cref="NodeHost"/>: sessions become OnConnected /
/// OnDisconnected, overlay messages (types 16..63) become OnMessage, a periodic timer drives OnTimer with Unix
/// milliseconds, and the node's actions become session sends, dials and closes. Calls into the node are
/// serialised by one lock; sends are queued inside it (so they leave in order), dials, closes and deliveries
/// run after it is released. A received broadcast message is hashed, its signature verified and the
/// application's <see cref="IGossipValidator.Prepare"/> run before the lock is taken (<see cref="GossipCheck"/>);
/// a broadcast message is encoded once, and every peer it goes to is queued the same frame.
/// </summary>
public sealed class OverlayService : IAsyncDisposable
{
    private readonly NodeHost _host;
    private readonly IDisposable _registration;
    private readonly OverlayNode _node;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<PeerId, PeerSession> _sessions = [];
    private readonly List<Action> _after = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly IGossipValidator? _validator;
    // Each broadcast message's frame, encoded on first send and shared by every later send of the same object (the
    // node forwards, and answers GRAFTs with, one object per message); it lives as long as the node keeps the message.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<GossipMessage, byte[]> _frames = new();
    private Task _timerLoop = Task.CompletedTask;

    public OverlayService(NodeHost host, NodeIdentity identity, string advertisedAddress, OverlayOptions options, ILogger log,
        IGossipValidator? validator = null, TimeProvider? time = null)
    {
        _host = host;
        _log = log;
        _time = time ?? TimeProvider.System;
        _validator = validator;
        _node = new OverlayNode(identity, advertisedAddress, options, new Sink(this), host.Metrics, new Random(), validator);
        host.SessionStarted += OnSessionStarted;
        host.SessionEnded += OnSessionEnded;
        _registration = host.Register(MessageTypeRange.Overlay, OnMessageAsync);
    }

    /// <summary>Verified, validated messages of subscribed topics (raised outside the overlay's lock).</summary>
    public event Action<GossipDelivery>? Delivered;

    /// <summary>Bad input from a peer (already counted in NodeMetrics). Peer scoring and bans attach here.</summary>
    public event Action<PeerId, OverlayOffence>? OffenceDetected;

    public PeerId Self => _node.Self;
    public IReadOnlyList<PeerId> ActiveView { get { lock (_gate) return _node.ActiveView.ToList(); } }
    public IReadOnlyList<PeerId> PassiveView { get { lock (_gate) return _node.PassiveView.ToList(); } }

    public void Subscribe(string topic) => Run(_ => _node.Subscribe(topic));

    /// <summary>Joins through the bootstrap contacts and starts the overlay timer.</summary>
    public void Start(IReadOnlyList<PeerAddress> bootstrap)
    {
        Run(now => _node.Start(bootstrap, now));
        _timerLoop = Task.Run(TimerLoopAsync);
    }

    public MessageId Publish(string topic, byte[] payload) => Run(now => _node.Publish(topic, payload, now));

    private async Task TimerLoopAsync()
    {
        using var timer = new PeriodicTimer(_node.Options.TickInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)) Run(now => _node.OnTimer(now));
        }
        catch (OperationCanceledException) { }
    }

    private void Run(Action<long> call) => Run(now => { call(now); return 0; });

    private T Run<T>(Func<long, T> call)
    {
        T result;
        Action[] after;
        lock (_gate)
        {
            result = call(_time.GetUtcNow().ToUnixTimeMilliseconds());
            after = _after.ToArray();
            _after.Clear();
        }
        foreach (var a in after)
        {
            try { a(); }
            catch (Exception e) { _log.ActionFailed(e); }
        }
        return result;
    }

    private void OnSessionStarted(PeerSession s) => Run(now =>
    {
        if (_sessions.TryGetValue(s.RemotePeer, out var existing) && existing != s && !existing.Completion.IsCompleted)
        {
            // Both sides dialled at once: both keep the session dialled by the smaller peer id, so they agree.
            var loser = Preferred(s, existing) ? existing : s;
            _after.Add(() => _ = loser.CloseAsync(DisconnectReason.DuplicateConnection, "duplicate connection"));
            if (loser == s) return;
        }
        _sessions[s.RemotePeer] = s;
        _node.OnConnected(s.RemotePeer, now);
    });

    private bool Preferred(PeerSession a, PeerSession b)
    {
        PeerId Dialer(PeerSession x) => x.IsInbound ? x.RemotePeer : Self;
        var want = Self.CompareTo(a.RemotePeer) < 0 ? Self : a.RemotePeer;
        var aOk = Dialer(a) == want;
        return aOk != (Dialer(b) == want) ? aOk : true; // same dialler: the newer one
    }

    private void OnSessionEnded(PeerSession s) => Run(now =>
    {
        if (!_sessions.TryGetValue(s.RemotePeer, out var current) || current != s) return;
        _sessions.Remove(s.RemotePeer);
        _node.OnDisconnected(s.RemotePeer, now);
    });

    private ValueTask OnMessageAsync(PeerSession s, WireMessage message)
    {
        var check = message is GossipMessage g && g.Payload.Length <= _node.Options.MaxPayloadBytes ? Check(g) : null;
        Run(now =>
        {
            // A message can overtake SessionStarted (the session starts reading before the event is raised).
            if (!_sessions.ContainsKey(s.RemotePeer) && !s.Completion.IsCompleted)
            {
                _sessions[s.RemotePeer] = s;
                _node.OnConnected(s.RemotePeer, now);
            }
            _node.OnMessage(s.RemotePeer, message, now, check);
        });
        return ValueTask.CompletedTask;
    }

    /// <summary>Outside the lock: the id (hashing the payload), then, unless the id is known already (a duplicate,
    /// checked under the lock briefly), the signature and the validator's stateless part.</summary>
    private GossipCheck Check(GossipMessage g)
    {
        var subscribed = false;
        var check = GossipCheck.Of(g, id =>
        {
            lock (_gate)
            {
                subscribed = _node.IsSubscribed(g.Topic);
                return !_node.HasSeen(id);
            }
        });
        if (check.SignatureValid != true || !subscribed || _validator is null) return check;
        try { return check with { Prepared = _validator.Prepare(g.Topic, g.Origin, g.Payload) }; }
        catch (Exception e)
        {
            _log.PrepareFailed(e);
            return check;
        }
    }

    private async Task DialAsync(PeerId peer, string address)
    {
        try
        {
            await _host.ConnectAsync(address, peer, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TransportException or SessionException or OperationCanceledException or ArgumentException or IOException)
        {
            if (_stop.IsCancellationRequested) return;
            if (_log.IsEnabled(LogLevel.Debug)) _log.DialFailed(peer.Short, address, e.Message);
            var until = BannedUntil(e);
            Run(now =>
            {
                if (_sessions.ContainsKey(peer)) return;
                _node.OnDialFailed(peer, now, until?.ToUnixTimeMilliseconds());
                // One line per ban, not per attempt: the backoff keeps the peer undialled until the ban ends.
                if (until is { } u && _loggedBans.GetValueOrDefault(peer) != u)
                {
                    _loggedBans[peer] = u;
                    _log.Banned(peer, u);
                }
            });
        }
    }

    private readonly Dictionary<PeerId, DateTimeOffset> _loggedBans = [];

    /// <summary>The end of a ban named by a refused session ("banned until yyyy-MM-dd HH:mm:ssZ", sent by the
    /// peer's Disconnect or by this node's own admission check), or null.</summary>
    public static DateTimeOffset? BannedUntil(Exception e)
    {
        if (e is not SessionException { Reason: DisconnectReason.Banned }) return null;
        const string marker = "banned until ";
        var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var text = e.Message[(at + marker.Length)..];
        return text.Length >= 20 && DateTimeOffset.TryParseExact(text[..20], "u", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var until) ? until : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        Run(now => _node.Leave(now));
        _stop.Cancel();
        _host.SessionStarted -= OnSessionStarted;
        _host.SessionEnded -= OnSessionEnded;
        _registration.Dispose();
        await _timerLoop.ConfigureAwait(false);
        _stop.Dispose();
    }

    // Called by the node inside Run, under the lock.
    private sealed class Sink(OverlayService s) : IOverlaySink
    {
        public void Send(PeerId peer, WireMessage message)
        {
            if (!s._sessions.TryGetValue(peer, out var session))
            {
                s._host.Metrics.Increment("overlay_send_not_connected");
                return;
            }
            session.TrySendFrame(message is GossipMessage g ? s._frames.GetValue(g, Encode) : WireCodec.Encode(message));
        }

        private byte[] Encode(GossipMessage g)
        {
            s._host.Metrics.Increment("gossip_frames_encoded");
            return WireCodec.Encode(g);
        }

        public void Connect(PeerId peer, string address) => s._after.Add(() => _ = Task.Run(() => s.DialAsync(peer, address)));

        public void Disconnect(PeerId peer)
        {
            if (!s._sessions.Remove(peer, out var session)) return;
            s._after.Add(() => _ = session.CloseAsync(DisconnectReason.Normal, "overlay: not a neighbour"));
        }

        public void Deliver(GossipDelivery delivery) => s._after.Add(() => s.Delivered?.Invoke(delivery));

        public void Offence(PeerId peer, OverlayOffence offence)
        {
            s._log.OffenceBy(peer.Short, offence);
            s._after.Add(() => s.OffenceDetected?.Invoke(peer, offence));
        }
    }
}
