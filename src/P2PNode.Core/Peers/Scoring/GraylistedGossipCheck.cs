using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Wire.Gossip;

namespace P2PNode.Peers.Scoring;

/// <summary>
/// Spot checks on the gossip of graylisted peers (docs/overlay.md 9.1). Their Gossip messages are dropped
/// unprocessed, so without this a peer graylisted for a forgery could forge on for ever at no cost. Here one
/// dropped message per peer per <see cref="ScoringOptions.GraylistedCheckInterval"/> has its origin signature
/// verified; a forgery costs <see cref="ScoringOptions.ForgedSignaturePenalty"/>, so a peer that keeps forging
/// is banned, while an honest peer that was graylisted for something else loses nothing (honest relays verify
/// before forwarding, so its messages always verify) and leaves the graylist as its score decays. The check
/// costs at most one signature verification per graylisted peer per interval, less than processing.
/// </summary>
public sealed class GraylistedGossipCheck(PeerScorer scorer, NodeMetrics? metrics = null)
{
    private readonly Dictionary<PeerId, DateTimeOffset> _lastCheck = [];
    private readonly object _gate = new();

    /// <summary>For a Gossip message dropped because <paramref name="peer"/> is graylisted. Returns true when the
    /// message was checked (false: the interval had not passed, or checks are off).</summary>
    public bool OnDropped(PeerId peer, GossipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var interval = scorer.Options.GraylistedCheckInterval;
        if (interval <= TimeSpan.Zero) return false;
        var now = scorer.Time.GetUtcNow();
        lock (_gate)
        {
            if (_lastCheck.TryGetValue(peer, out var last) && now - last < interval) return false;
            // Bounded like the scores: entries older than the interval decide nothing and can go.
            if (_lastCheck.Count >= scorer.Options.MaxTrackedPeers)
                foreach (var stale in _lastCheck.Where(kv => now - kv.Value >= interval).Select(kv => kv.Key).ToList()) _lastCheck.Remove(stale);
            _lastCheck[peer] = now;
        }
        metrics?.Increment("graylisted_gossip_checked");
        if (GossipSignature.Verify(message, out _)) return true;
        metrics?.Increment("graylisted_gossip_forged");
        scorer.Report(peer, Offence.ForgedSignature, "a forged gossip signature (spot check)");
        return true;
    }
}
