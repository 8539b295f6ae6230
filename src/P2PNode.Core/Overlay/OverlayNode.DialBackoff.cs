using P2PNode.Identity;

namespace P2PNode.Overlay;

// Per-peer dial backoff (docs/overlay.md §4, "Dial backoff"): a peer whose dial failed is not dialled again before
// its wait is over, and a peer that refused us with a ban's end not before that end. The Neighbor-request backoff
// (PromoteBackoff) is a separate matter: it paces requests that were answered "no", this paces dials that failed.
public sealed partial class OverlayNode
{
    private readonly Dictionary<PeerId, (int Failures, long NotBefore)> _dialBackoff = [];

    /// <summary>A dial this node asked for failed. <paramref name="refusedUntilMs"/>: the peer refused the session
    /// until then (it banned this node, or this node banned it): no dial before that time.</summary>
    public void OnDialFailed(PeerId peer, long nowMs, long? refusedUntilMs = null)
    {
        _now = nowMs;
        _connected.Remove(peer);
        MembershipLost(peer);
        if (refusedUntilMs is { } until && _dialBackoff.TryGetValue(peer, out var b) && until > b.NotBefore)
            _dialBackoff[peer] = (b.Failures, until);
    }

    /// <summary>When this node will next dial <paramref name="peer"/> (null: no backoff, at once).</summary>
    public long? DialNotBefore(PeerId peer) => _dialBackoff.TryGetValue(peer, out var b) && b.NotBefore > _now ? b.NotBefore : null;

    private bool DialBlocked(PeerId peer) => !_connected.ContainsKey(peer) && _dialBackoff.TryGetValue(peer, out var b) && _now < b.NotBefore;

    // A failed dial doubles the peer's wait, from DialBackoff up to DialBackoffMax.
    private void BackOffDial(PeerId peer)
    {
        var failures = _dialBackoff.TryGetValue(peer, out var b) ? b.Failures : 0;
        var wait = Math.Min(Ms(_o.DialBackoff) << Math.Min(failures, 20), Ms(_o.DialBackoffMax));
        _dialBackoff[peer] = (failures + 1, _now + wait);
        // Bounded: entries whose wait is over carry nothing but the exponent; forget them when the table grows.
        if (_dialBackoff.Count > 4 * (_o.PassiveViewSize + _o.ActiveViewSize))
            foreach (var (p, _) in _dialBackoff.Where(kv => kv.Value.NotBefore <= _now).ToList()) _dialBackoff.Remove(p);
    }
}
