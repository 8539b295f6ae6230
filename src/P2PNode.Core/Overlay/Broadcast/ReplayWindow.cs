using P2PNode.Identity;

namespace P2PNode.Overlay.Broadcast;

/// <summary>
/// Per-origin anti-replay window over sequence numbers (as IPsec's): the highest sequence accepted and a bitmap
/// of the <c>window</c> sequences below it. A sequence already marked, or too far below the highest, is a replay
/// even after its id has left the seen-cache. Only called after the origin's signature verified, so a forger
/// cannot advance someone else's window.
/// </summary>
internal enum ReplayVerdict { Accepted, Replayed, BelowWindow }

internal sealed class ReplayWindow(int window, int maxOrigins)
{
    private sealed class State(int words)
    {
        public ulong Highest;
        public readonly ulong[] Bits = new ulong[words];
        public long LastUsed;
    }

    private readonly Dictionary<PeerId, State> _origins = [];

    public int TrackedOrigins => _origins.Count;

    /// <summary>True (and recorded) when <paramref name="sequence"/> is new for <paramref name="origin"/>.</summary>
    public bool TryAccept(PeerId origin, ulong sequence, long now) => Check(origin, sequence, now) == ReplayVerdict.Accepted;

    /// <summary>Accepted (and recorded), Replayed (already marked: a replay or an equivocation), or BelowWindow (too far
    /// below the highest to know: refused, but an honest peer can send it, e.g. to a node that just started and saw a
    /// newer message of that origin first).</summary>
    public ReplayVerdict Check(PeerId origin, ulong sequence, long now)
    {
        if (!_origins.TryGetValue(origin, out var s))
        {
            if (_origins.Count >= maxOrigins) EvictLeastRecent();
            s = new State(window / 64) { Highest = sequence };
            _origins[origin] = s;
            Set(s, sequence);
            s.LastUsed = now;
            return ReplayVerdict.Accepted;
        }
        s.LastUsed = now;
        if (sequence > s.Highest)
        {
            var gap = sequence - s.Highest;
            if (gap >= (ulong)window) Array.Clear(s.Bits);
            else for (var q = s.Highest + 1; q < sequence; q++) Clear(s, q);
            s.Highest = sequence;
            Set(s, sequence);
            return ReplayVerdict.Accepted;
        }
        if (s.Highest - sequence >= (ulong)window) return ReplayVerdict.BelowWindow;
        if (IsSet(s, sequence)) return ReplayVerdict.Replayed;
        Set(s, sequence);
        return ReplayVerdict.Accepted;
    }

    private void EvictLeastRecent()
    {
        PeerId? oldest = null;
        var oldestTime = long.MaxValue;
        foreach (var (id, st) in _origins)
        {
            if (st.LastUsed < oldestTime) { oldestTime = st.LastUsed; oldest = id; }
        }
        if (oldest is not null) _origins.Remove(oldest);
    }

    private int Bit(ulong seq) => (int)(seq % (ulong)window);
    private void Set(State s, ulong seq) { var b = Bit(seq); s.Bits[b >> 6] |= 1UL << (b & 63); }
    private void Clear(State s, ulong seq) { var b = Bit(seq); s.Bits[b >> 6] &= ~(1UL << (b & 63)); }
    private bool IsSet(State s, ulong seq) { var b = Bit(seq); return (s.Bits[b >> 6] & (1UL << (b & 63))) != 0; }
}
