using P2PNode.Identity;
using P2PNode.Overlay.Broadcast;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay;

// Plumtree (Leitao, Pereira, Rodrigues, SRDS 2007): new messages go eagerly to the "eager" neighbours (the
// broadcast tree) and as batched IHAVE ids to the "lazy" ones. A duplicate prunes the link it came on; a
// missing message announced by IHAVE is pulled with GRAFT after a timeout, which also grafts that link into
// the tree. Both sets are always a partition of the active view.
public sealed partial class OverlayNode
{
    private sealed class Missing(long due)
    {
        public long Due { get; set; } = due;
        public bool Grafted { get; set; }
        public bool Pull { get; set; }
        public Queue<(PeerId Peer, uint Hops)> Announcers { get; } = new();
    }

    private const int MaxAnnouncersPerId = 8;

    private readonly HashSet<PeerId> _eager = [];
    private readonly HashSet<PeerId> _lazy = [];
    private readonly SeenCache _seen;
    private readonly ReplayWindow _replay;
    private readonly Dictionary<MessageId, Missing> _missing = [];
    private readonly Dictionary<PeerId, List<IHaveEntry>> _lazyQueue = [];
    private ulong _nextSequence;
    private long _nextOptimizationAt;
    // Running average of the hop counts of first copies (exponential, weight 1/16 once warmed up).
    private double _meanHops;
    private int _hopsSamples;

    private void RecordHops(uint hops)
    {
        _hopsSamples++;
        _meanHops += (hops - _meanHops) / Math.Min(_hopsSamples, 16);
    }

    /// <summary>Messages remembered for dedup, and messages announced but not yet received.</summary>
    public int SeenCount => _seen.Count;
    public int MissingCount => _missing.Count;

    /// <summary>
    /// Signs and broadcasts <paramref name="payload"/> on <paramref name="topic"/>. The sequence number starts at
    /// the first publish time in microseconds, so a restarted node keeps counting upwards past its old messages
    /// (peers' replay windows would otherwise drop them).
    /// </summary>
    public MessageId Publish(string topic, byte[] payload, long nowMs)
    {
        _now = nowMs;
        if (payload.Length > _o.MaxPayloadBytes)
            throw new ArgumentException($"payload is {payload.Length} bytes, limit {_o.MaxPayloadBytes}", nameof(payload));
        // Only the first publish jumps to the clock; later ones count by one, so the sequence gaps between one
        // origin's messages stay small and its late copies stay inside receivers' replay windows.
        if (_nextSequence == 0) _nextSequence = (ulong)Math.Max(1, nowMs) * 1000;
        var (message, id) = GossipSignature.SignWithId(_identity, topic, _nextSequence++, (ulong)Math.Max(0, nowMs), payload);
        _seen.Add(id, 0, null, message, _now);
        _replay.TryAccept(Self, message.Sequence, _now);
        Count("gossip_published");
        Forward(message, id, from: null);
        return id;
    }

    private void NeighborUp(PeerId peer)
    {
        _lazy.Remove(peer);
        _eager.Add(peer);
        // Anti-entropy for the gap a failure leaves: announce what we received lately, so a neighbour that was
        // cut off (its tree and lazy links all died) pulls what it missed instead of losing it.
        var window = Ms(_o.AnnounceOnNeighborUp);
        if (window <= 0 || _o.Mode == BroadcastMode.Flood) return;
        var recent = _seen.RecentMessages(_now - window, _o.MaxIHaveIds);
        if (recent.Count == 0) return;
        if (!_lazyQueue.TryGetValue(peer, out var queue)) _lazyQueue[peer] = queue = [];
        foreach (var (id, hops) in recent) queue.Add(new IHaveEntry(id, hops + 1));
    }

    private void NeighborDown(PeerId peer)
    {
        _eager.Remove(peer);
        _lazy.Remove(peer);
        _lazyQueue.Remove(peer);
    }

    private void MakeEager(PeerId peer)
    {
        if (!_active.Contains(peer)) return;
        _lazy.Remove(peer);
        _eager.Add(peer);
    }

    private void MakeLazy(PeerId peer)
    {
        if (!_active.Contains(peer)) return;
        _eager.Remove(peer);
        _lazy.Add(peer);
    }

    // `message` carries the hop count it will arrive with.
    private void Forward(GossipMessage message, MessageId id, PeerId? from)
    {
        if (IsPulled(message))
        {
            AnnounceToAll(message, id, from);
            return;
        }
        foreach (var p in _eager)
        {
            if (p == from) continue;
            _sink.Send(p, message);
            Count("gossip_sent");
        }
        if (_o.Mode == BroadcastMode.Flood) return;
        foreach (var p in _lazy)
        {
            if (p == from) continue;
            if (!_lazyQueue.TryGetValue(p, out var queue)) _lazyQueue[p] = queue = [];
            queue.Add(new IHaveEntry(id, message.Hops));
        }
    }

    private bool IsPulled(GossipMessage message) =>
        _o.Mode == BroadcastMode.Plumtree && _o.LazyPushBytes > 0 && message.Payload.Length > _o.LazyPushBytes;

    // A large payload: every neighbour but the sender hears of it now and pulls it (OnIHave grafts at once
    // when the announcer is an eager neighbour, and each node grafts only one announcer at a time).
    private void AnnounceToAll(GossipMessage message, MessageId id, PeerId? from)
    {
        var entry = new IHave([new IHaveEntry(id, message.Hops)]);
        foreach (var p in _active.Items)
        {
            if (p == from) continue;
            _sink.Send(p, entry);
            Count("gossip_ihave_sent");
            Count("gossip_lazy_announced");
        }
    }

    private void OnIHave(PeerId from, IHave ihave)
    {
        if (ihave.Entries.Count > _o.MaxIHaveIds)
        {
            Offend(from, OverlayOffence.Oversized, "gossip_ihave_oversized");
            return;
        }
        Count("gossip_ihave_received");
        var pullNow = false;
        foreach (var e in ihave.Entries)
        {
            if (_seen.TryGet(e.Id, out var seen))
            {
                MaybeShortenPath(seen, from, e.Hops);
                continue;
            }
            if (_o.Mode == BroadcastMode.Flood) continue;
            if (!_missing.TryGetValue(e.Id, out var missing))
            {
                if (_missing.Count >= _o.MaxMissingTracked)
                {
                    Count("gossip_missing_dropped");
                    continue;
                }
                _missing[e.Id] = missing = new Missing(_now + Ms(_o.IHaveTimeout));
            }
            if (missing.Announcers.Count < MaxAnnouncersPerId) missing.Announcers.Enqueue((from, e.Hops));
            if (_o.ShortPathGraftMargin > 0 && _hopsSamples > 0 && e.Hops + _o.ShortPathGraftMargin <= _meanHops)
                missing.Due = Math.Min(missing.Due, _now + Ms(_o.ShortPathGraftTimeout));
            // An eager neighbour announces instead of pushing only what it will not push (a large payload, or
            // what it had before our link came up): no copy is on its way, so pull now.
            if (_eager.Contains(from) && !missing.Grafted)
            {
                missing.Due = _now;
                missing.Pull = true;
                pullNow = true;
            }
        }
        if (pullNow) GraftMissing();
    }

    // Plumtree's optimisation: a lazy neighbour reached us in clearly fewer hops than the tree did, so its link
    // replaces the tree link we got the message on. Keeps paths short as the tree ages under churn.
    private void MaybeShortenPath(SeenCache.Entry seen, PeerId lazyPeer, uint lazyHops)
    {
        if (_o.OptimizationThreshold == 0 || _o.Mode == BroadcastMode.Flood || seen.Optimized) return;
        if (seen.From is not { } parent || parent == lazyPeer || !_eager.Contains(parent) || !_lazy.Contains(lazyPeer)) return;
        if (!TryStartOptimization(seen, lazyHops)) return;
        MakeEager(lazyPeer);
        _sink.Send(lazyPeer, new Graft([]));
        MakeLazy(parent);
        _sink.Send(parent, new Prune());
    }

    private bool TryStartOptimization(SeenCache.Entry seen, uint betterHops)
    {
        if (_o.OptimizationThreshold == 0 || seen.Optimized || _now < _nextOptimizationAt) return false;
        if (seen.Hops < betterHops + _o.OptimizationThreshold) return false;
        seen.Optimized = true;
        _nextOptimizationAt = _now + Ms(_o.OptimizationCooldown);
        Count("gossip_path_optimized");
        return true;
    }

    private void OnGraft(PeerId from, Graft graft)
    {
        if (graft.Ids.Count > _o.MaxIHaveIds)
        {
            Offend(from, OverlayOffence.Oversized, "gossip_graft_oversized");
            return;
        }
        Count("gossip_graft_received");
        MakeEager(from);
        foreach (var id in graft.Ids)
        {
            if (_seen.TryGet(id, out var seen) && seen.Message is { } m)
            {
                _sink.Send(from, m); // kept as forwarded: Hops is already seen.Hops + 1
                Count("gossip_sent");
                Count("gossip_graft_served");
            }
            else Count("gossip_graft_unknown");
        }
    }

    private void OnPrune(PeerId from)
    {
        Count("gossip_prune_received");
        if (_o.Mode == BroadcastMode.Plumtree) MakeLazy(from);
    }

    private void BroadcastTick()
    {
        foreach (var (peer, queue) in _lazyQueue)
        {
            if (queue.Count == 0) continue;
            for (var i = 0; i < queue.Count; i += _o.MaxIHaveIds)
            {
                _sink.Send(peer, new IHave(queue.GetRange(i, Math.Min(_o.MaxIHaveIds, queue.Count - i))));
                Count("gossip_ihave_sent");
            }
            queue.Clear();
        }
        if (_missing.Count > 0) GraftMissing();
        _seen.Expire(_now);
    }

    // The connected announcer with the fewest hops: grafting it re-attaches us (and whatever hangs below us)
    // as close to the message's origin as we know, instead of wherever the first IHAVE happened to come from.
    private PeerId? TakeClosestAnnouncer(Missing missing)
    {
        PeerId? best = null;
        var bestHops = uint.MaxValue;
        var count = missing.Announcers.Count;
        for (var i = 0; i < count; i++)
        {
            var a = missing.Announcers.Dequeue();
            if (!_connected.ContainsKey(a.Peer)) continue;
            if (a.Hops < bestHops)
            {
                if (best is not null) missing.Announcers.Enqueue((best, bestHops));
                best = a.Peer;
                bestHops = a.Hops;
            }
            else missing.Announcers.Enqueue(a);
        }
        return best;
    }

    private void GraftMissing()
    {
        Dictionary<PeerId, List<MessageId>>? grafts = null;
        List<MessageId>? done = null;
        foreach (var (id, missing) in _missing)
        {
            if (missing.Due > _now) continue;
            // Skip announcers we lost the connection to: a GRAFT to them would vanish.
            var target = TakeClosestAnnouncer(missing);
            if (target is null)
            {
                (done ??= []).Add(id);
                continue;
            }
            grafts ??= [];
            if (!grafts.TryGetValue(target, out var ids)) grafts[target] = ids = [];
            ids.Add(id);
            missing.Grafted = true;
            missing.Due = _now + Ms(missing.Pull ? _o.PullRetryTimeout : _o.GraftRetryTimeout);
        }
        if (done is not null) foreach (var id in done) _missing.Remove(id);
        if (grafts is null) return;
        foreach (var (peer, ids) in grafts)
        {
            MakeEager(peer);
            for (var i = 0; i < ids.Count; i += _o.MaxIHaveIds)
            {
                _sink.Send(peer, new Graft(ids.GetRange(i, Math.Min(_o.MaxIHaveIds, ids.Count - i))));
                Count("gossip_graft_sent");
            }
        }
    }
}
