using P2PNode.Identity;
using P2PNode.Wire;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay;

// HyParView (Leitao, Pereira, Rodrigues, DSN 2007): a small symmetric active view of connected peers used for
// broadcast, a larger passive view as the reserve, random walks for joins and shuffles, and replacement of
// failed neighbours from the passive view. A closed connection is the failure detector.
public sealed partial class OverlayNode
{
    private sealed class PendingDial(string address, long deadline)
    {
        public string Address { get; } = address;
        public long Deadline { get; } = deadline;
        public List<WireMessage> Queue { get; } = [];
        public bool JoinContact { get; set; }
        public bool KeepOpen { get; set; }
    }

    private readonly RandomSet<PeerId> _active = new();
    private readonly RandomSet<PeerId> _passive = new();
    private readonly Dictionary<PeerId, string> _addresses = [];
    private readonly Dictionary<PeerId, PendingDial> _dials = [];
    private readonly Dictionary<PeerId, long> _neighborRequests = [];
    private IReadOnlyList<PeerAddress> _bootstrap = [];
    private const long HousekeepingIntervalMs = 200;
    private long _nextJoinAt, _nextPromoteAt, _nextShuffleAt, _nextHousekeepingAt;
    // Neighbor requests refused in a row: the backoff's exponent. An unanswered one is a dead peer, dropped from
    // the passive view, and does not count: the next candidate is tried at the usual pace.
    private int _promoteRefusals;

    /// <summary>Joins the overlay through one of the <paramref name="bootstrap"/> contacts (retried with others
    /// while the node has no neighbour). An empty list makes this the first node.</summary>
    public void Start(IReadOnlyList<PeerAddress> bootstrap, long nowMs)
    {
        _now = nowMs;
        _bootstrap = bootstrap.Where(b => b.Peer != Self).ToList();
        _nextShuffleAt = nowMs + Jitter(_o.ShuffleInterval);
        TryJoin();
    }

    /// <summary>Graceful exit: tells every neighbour (Detach, so they keep us as alive) and closes.</summary>
    public void Leave(long nowMs)
    {
        _now = nowMs;
        foreach (var p in _active.Items.ToList()) DropActive(p, detach: true);
        _bootstrap = [];
    }

    private void TryJoin()
    {
        _nextJoinAt = _now + Ms(_o.JoinRetryInterval);
        if (_bootstrap.Count == 0) return;
        // Contacts whose last dial failed wait out their backoff (a contact that banned us: until the ban ends).
        var ready = _bootstrap.Where(b => !DialBlocked(b.Peer)).ToList();
        if (ready.Count == 0)
        {
            _nextJoinAt = _bootstrap.Min(b => _dialBackoff[b.Peer].NotBefore);
            return;
        }
        var contact = ready[_rng.Next(ready.Count)];
        Count("overlay_join_sent");
        ConnectAndSend(contact.Peer, contact.Address, new Join(Address), joinContact: true, keepOpen: true);
    }

    private void ConnectAndSend(PeerId peer, string address, WireMessage message, bool joinContact, bool keepOpen)
    {
        if (_connected.ContainsKey(peer))
        {
            SendTracked(peer, message);
            if (joinContact) AddActive(peer, address);
            return;
        }
        if (!_dials.TryGetValue(peer, out var dial))
        {
            if (DialBlocked(peer))
            {
                Count("overlay_dial_backed_off");
                return;
            }
            dial = new PendingDial(address, _now + Ms(_o.DialTimeout));
            _dials[peer] = dial;
            Count("overlay_dials");
            _sink.Connect(peer, address);
        }
        dial.Queue.Add(message);
        dial.JoinContact |= joinContact;
        dial.KeepOpen |= keepOpen;
    }

    private void CompleteDial(PeerId peer, PendingDial dial)
    {
        foreach (var m in dial.Queue) SendTracked(peer, m);
        if (dial.JoinContact) AddActive(peer, dial.Address);
        if (!dial.KeepOpen && !InUse(peer)) Close(peer);
    }

    private void SendTracked(PeerId peer, WireMessage message)
    {
        if (message is Neighbor) _neighborRequests[peer] = _now + Ms(_o.NeighborTimeout);
        _sink.Send(peer, message);
    }

    private bool InUse(PeerId p) => _active.Contains(p) || _dials.ContainsKey(p) || _neighborRequests.ContainsKey(p);

    private void Close(PeerId peer)
    {
        if (_connected.Remove(peer)) _sink.Disconnect(peer);
    }

    // The connection to `peer` is gone, or a dial/request to it failed: it is dead as far as we know.
    private void MembershipLost(PeerId peer)
    {
        var failedDial = _dials.Remove(peer, out var dial);
        var failedRequest = _neighborRequests.Remove(peer);
        if (failedDial || failedRequest)
        {
            Count("overlay_dial_failed");
            if (failedDial) BackOffDial(peer);
            _passive.Remove(peer);
            if (dial?.JoinContact == true) _nextJoinAt = _now;
        }
        if (_active.Remove(peer))
        {
            Count("overlay_neighbor_failed");
            NeighborDown(peer);
            RefillNow();
        }
        Forget(peer);
    }

    private void Forget(PeerId peer)
    {
        if (!_active.Contains(peer) && !_passive.Contains(peer) && !_dials.ContainsKey(peer) && !_neighborRequests.ContainsKey(peer))
            _addresses.Remove(peer);
    }

    private void AddActive(PeerId peer, string address)
    {
        if (peer == Self) return;
        if (address.Length > 0) _addresses[peer] = address;
        if (_active.Contains(peer)) return;
        _passive.Remove(peer);
        if (_active.Count >= _o.ActiveViewSize)
        {
            var victim = _active.RandomExcept(_rng, p => p == peer);
            if (victim is not null) DropActive(victim, detach: true);
        }
        _active.Add(peer);
        Count("overlay_neighbor_up");
        NeighborUp(peer);
    }

    private void DropActive(PeerId peer, bool detach)
    {
        if (!_active.Remove(peer)) return;
        NeighborDown(peer);
        if (detach)
        {
            _sink.Send(peer, new Detach());
            Close(peer);
        }
        if (_addresses.TryGetValue(peer, out var address)) AddPassive(peer, address);
    }

    private void AddPassive(PeerId peer, string address)
    {
        if (peer == Self || _active.Contains(peer) || address.Length == 0) return;
        _addresses[peer] = address;
        if (_passive.Contains(peer)) return;
        if (_passive.Count >= _o.PassiveViewSize)
        {
            var victim = _passive.RandomExcept(_rng)!;
            _passive.Remove(victim);
            Forget(victim);
        }
        _passive.Add(peer);
    }

    private void OnJoin(PeerId peer, Join join)
    {
        if (peer == Self || join.Address.Length == 0)
        {
            Offend(peer, OverlayOffence.Nonsense, "overlay_nonsense");
            return;
        }
        Count("overlay_join_received");
        AddActive(peer, join.Address);
        foreach (var n in _active.Items.ToList())
        {
            if (n != peer) _sink.Send(n, new ForwardJoin(peer, join.Address, _o.ActiveRandomWalkLength));
        }
    }

    private void OnForwardJoin(PeerId from, ForwardJoin f)
    {
        if (f.NewPeer == Self || f.Address.Length == 0) return;
        var ttl = Math.Min(f.Ttl, _o.ActiveRandomWalkLength);
        if (ttl == 0 || _active.Count <= 1)
        {
            AcceptNewPeer(f.NewPeer, f.Address);
            return;
        }
        if (ttl == _o.PassiveRandomWalkLength) AddPassive(f.NewPeer, f.Address);
        var next = _active.RandomExcept(_rng, p => p == from || p == f.NewPeer);
        if (next is null) AcceptNewPeer(f.NewPeer, f.Address);
        else _sink.Send(next, f with { Ttl = ttl - 1 });
    }

    // The walk ended here: take the new node into our active view (high priority: it cannot refuse).
    private void AcceptNewPeer(PeerId peer, string address)
    {
        if (_active.Contains(peer) || _neighborRequests.ContainsKey(peer)) return;
        _addresses[peer] = address;
        ConnectAndSend(peer, address, new Neighbor(true, Address), joinContact: false, keepOpen: true);
    }

    private void OnNeighbor(PeerId peer, Neighbor n)
    {
        if (peer == Self) return;
        if (_active.Contains(peer) || n.HighPriority || _active.Count < _o.ActiveViewSize)
        {
            AddActive(peer, n.Address);
            _sink.Send(peer, new NeighborReply(true));
        }
        else
        {
            Count("overlay_neighbor_refused");
            AddPassive(peer, n.Address);
            _sink.Send(peer, new NeighborReply(false));
        }
    }

    private void OnNeighborReply(PeerId peer, NeighborReply r)
    {
        if (!_neighborRequests.Remove(peer))
        {
            // An answer we no longer wait for (timed out): undo it on the other side if it accepted.
            if (r.Accepted && !_active.Contains(peer))
            {
                _sink.Send(peer, new Detach());
                Close(peer);
            }
            return;
        }
        if (r.Accepted)
        {
            _promoteRefusals = 0;
            AddActive(peer, _addresses.GetValueOrDefault(peer, ""));
            return;
        }
        BackOffPromotion();
        if (!InUse(peer)) Close(peer);
    }

    private void OnDetach(PeerId peer)
    {
        Count("overlay_detach_received");
        if (_active.Contains(peer))
        {
            DropActive(peer, detach: false);
            RefillNow();
        }
    }

    private void OnShuffle(PeerId from, Shuffle s)
    {
        if (s.Origin == Self) return;
        var ttl = Math.Min(s.Ttl, _o.ShuffleWalkLength);
        if (ttl > 0 && _active.Count > 1)
        {
            var next = _active.RandomExcept(_rng, p => p == from || p == s.Origin);
            if (next is not null)
            {
                _sink.Send(next, s with { Ttl = ttl - 1 });
                return;
            }
        }
        var reply = new ShuffleReply(WithAddresses(_passive.Sample(_rng, s.Entries.Count, p => p == s.Origin)));
        Count("overlay_shuffle_answered");
        if (_connected.ContainsKey(s.Origin)) _sink.Send(s.Origin, reply);
        else if (s.OriginAddress.Length > 0) ConnectAndSend(s.Origin, s.OriginAddress, reply, joinContact: false, keepOpen: false);
        Integrate(s.Entries);
    }

    private void Integrate(IReadOnlyList<PeerAddress> entries)
    {
        foreach (var e in entries)
        {
            if (e.Peer != Self && !_active.Contains(e.Peer) && !_passive.Contains(e.Peer)) AddPassive(e.Peer, e.Address);
        }
    }

    private void MembershipTick()
    {
        // View housekeeping needs no finer grain than this; ticks in between only pay for a comparison.
        if (_now < _nextHousekeepingAt) return;
        _nextHousekeepingAt = _now + HousekeepingIntervalMs;
        if (_dials.Count > 0) ExpireDials();
        if (_neighborRequests.Count > 0) ExpireNeighborRequests();
        var grace = Ms(_o.StrayConnectionGrace);
        if (_connected.Count > _active.Count)
        {
            foreach (var (peer, since) in _connected.Where(c => _now - c.Value >= grace && !InUse(c.Key)).ToList())
            {
                Count("overlay_stray_closed");
                _sink.Send(peer, new Detach());
                Close(peer);
            }
        }
        FillActiveView();
        if (_now >= _nextShuffleAt)
        {
            _nextShuffleAt = _now + Jitter(_o.ShuffleInterval);
            StartShuffle();
        }
    }

    private void ExpireNeighborRequests()
    {
        foreach (var (peer, _) in _neighborRequests.Where(r => r.Value <= _now).ToList())
        {
            _neighborRequests.Remove(peer);
            _passive.Remove(peer);
            Count("overlay_neighbor_timeout");
            if (!InUse(peer)) Close(peer);
            Forget(peer);
        }
    }

    private void ExpireDials()
    {
        foreach (var (peer, _) in _dials.Where(d => d.Value.Deadline <= _now).ToList())
        {
            _sink.Disconnect(peer);
            MembershipLost(peer);
        }
    }

    // A refusal doubles the wait before the next low-priority request, up to PromoteBackoffMax.
    private void BackOffPromotion()
    {
        var wait = Math.Min(Ms(_o.PromoteBackoff) << Math.Min(_promoteRefusals, 20), Ms(_o.PromoteBackoffMax));
        _promoteRefusals++;
        _nextPromoteAt = _now + wait;
    }

    // A neighbour is gone: look for a replacement at once, with the backoff started afresh.
    private void RefillNow()
    {
        _promoteRefusals = 0;
        _nextPromoteAt = _now;
    }

    private void FillActiveView()
    {
        if (_active.Count >= _o.ActiveViewSize || _now < _nextPromoteAt) return;
        var outstanding = _neighborRequests.Count + _dials.Values.Count(d => d.Queue.Any(m => m is Neighbor));
        if (_active.Count + outstanding >= _o.ActiveViewSize) return;
        var candidate = _passive.RandomExcept(_rng, p => _connected.ContainsKey(p) || _dials.ContainsKey(p) || _neighborRequests.ContainsKey(p) || DialBlocked(p));
        if (candidate is not null)
        {
            Count("overlay_promote");
            // High priority below two neighbours, not only at none: with one, a node is a single failure away
            // from isolation, and in a small network whose other views are all full, low-priority requests
            // are refused everywhere and it would stay on one link forever (seen in the 8-process test).
            ConnectAndSend(candidate, _addresses.GetValueOrDefault(candidate, ""), new Neighbor(_active.Count < 2, Address), joinContact: false, keepOpen: true);
        }
        else if (_active.Count == 0 && outstanding == 0 && _now >= _nextJoinAt && !_dials.Values.Any(d => d.JoinContact))
        {
            TryJoin();
        }
    }

    private void StartShuffle()
    {
        var target = _active.RandomExcept(_rng);
        if (target is null) return;
        var entries = new List<PeerAddress> { new(Self, Address) };
        entries.AddRange(WithAddresses(_active.Sample(_rng, _o.ShuffleActiveCount, p => p == target)));
        entries.AddRange(WithAddresses(_passive.Sample(_rng, _o.ShufflePassiveCount)));
        Count("overlay_shuffle_sent");
        _sink.Send(target, new Shuffle(Self, Address, _o.ShuffleWalkLength, entries));
    }

    private List<PeerAddress> WithAddresses(List<PeerId> peers) =>
        peers.Where(_addresses.ContainsKey).Select(p => new PeerAddress(p, _addresses[p])).ToList();

    private long Jitter(TimeSpan interval) => (long)(Ms(interval) * (0.75 + 0.5 * _rng.NextDouble()));
}
