using P2PNode.Identity;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay;

// The receive path of a broadcast message. Order matters: cheap checks first, the signature before anything
// that changes state or forwards, the replay window only after the signature (a forger must not be able to
// advance an origin's window), the application's verdict last.
public sealed partial class OverlayNode
{
    // `check`: the id and signature computed by the driver outside its lock (GossipCheck), or null to compute them here.
    private void OnGossip(PeerId from, GossipMessage g, GossipCheck? check)
    {
        Count("gossip_received");
        if (g.Payload.Length > _o.MaxPayloadBytes)
        {
            Offend(from, OverlayOffence.Oversized, "gossip_oversized");
            return;
        }
        // Without a driver's check, one pass: hash, and verify only what steps 2 and 3 let through.
        check ??= GossipCheck.Of(g, id => !_seen.TryGet(id, out _) && !IsStale(g));
        var id = check.Id;

        // Only verified messages enter the seen-cache, so a hit is a true duplicate (a forged copy of a known id
        // is harmless here: it is dropped, and the honest copy was already forwarded).
        if (_seen.TryGet(id, out var known))
        {
            Count("gossip_duplicate");
            // A pulled large payload came from a Graft retry, not down the tree: no tree link to prune.
            if (_o.Mode == BroadcastMode.Plumtree && _eager.Contains(from) && !IsPulled(g))
            {
                // The later copy took clearly fewer hops: keep its link in the tree, drop the first one's.
                if (known.From is { } first && first != from && _eager.Contains(first) && TryStartOptimization(known, g.Hops))
                {
                    MakeLazy(first);
                    _sink.Send(first, new Prune());
                    Count("gossip_prune_sent");
                    return;
                }
                MakeLazy(from);
                _sink.Send(from, new Prune());
                Count("gossip_prune_sent");
            }
            return;
        }
        if (IsStale(g))
        {
            Offend(from, OverlayOffence.Stale, "gossip_stale");
            return;
        }
        // Null when the driver found the id seen (it expired since): verify here.
        if (!(check.SignatureValid ?? GossipCheck.Of(g, verify: true).SignatureValid!.Value))
        {
            Offend(from, OverlayOffence.BadSignature, "gossip_bad_signature");
            return;
        }
        Count("gossip_verified");
        switch (_replay.Check(g.Origin, g.Sequence, _now))
        {
            case Broadcast.ReplayVerdict.Replayed:
                Offend(from, OverlayOffence.Replay, "gossip_replay");
                return;
            case Broadcast.ReplayVerdict.BelowWindow:
                // Refused, but no offence: the sender cannot know this node's window. A node that restarted sees an
                // origin's newest message first, and its peers' repair then sends it older ones it never saw; charging
                // them graylisted honest peers after every restart.
                Count("gossip_below_window");
                return;
        }

        var delivery = new GossipDelivery(id, g.Topic, g.Origin, g.Sequence, g.TimestampMs, g.Payload, g.Hops, from) { Prepared = check?.Prepared };
        var subscribed = _topics.Contains(g.Topic);
        var verdict = subscribed ? _validator?.Validate(delivery) ?? ValidationResult.Accept
            : _o.RelayUnsubscribedTopics ? ValidationResult.Accept : ValidationResult.Ignore;
        // The copy this node forwards (one more hop) is the one it keeps to answer GRAFTs: every send of the message
        // from here is the same object, so the driver encodes it once (OverlayService).
        var outgoing = g with { Hops = g.Hops + 1 };
        _seen.Add(id, g.Hops, from, verdict == ValidationResult.Accept ? outgoing : null, _now);
        _missing.Remove(id, out var missing);
        switch (verdict)
        {
            case ValidationResult.Reject:
                Offend(from, OverlayOffence.Rejected, "gossip_rejected");
                return;
            case ValidationResult.Ignore:
                Count("gossip_ignored");
                return;
        }
        RecordHops(g.Hops); // feeds the hop-aware early graft (OverlayOptions.ShortPathGraftMargin)
        if (subscribed)
        {
            Count("gossip_delivered");
            _sink.Deliver(delivery);
        }
        Forward(outgoing, id, from);
        if (_o.Mode != BroadcastMode.Plumtree) return;
        MakeEager(from);
        // An announcer that was clearly closer than the tree path: swap links (see MaybeShortenPath).
        if (missing is not null && _seen.TryGet(id, out var seen))
        {
            foreach (var (peer, hops) in missing.Announcers) MaybeShortenPath(seen, peer, hops);
        }
    }

    private bool IsStale(GossipMessage g)
    {
        var now = (ulong)Math.Max(0, _now);
        return g.TimestampMs + (ulong)Ms(_o.MaxMessageAge) < now || g.TimestampMs > now + (ulong)Ms(_o.MaxClockSkew);
    }
}
