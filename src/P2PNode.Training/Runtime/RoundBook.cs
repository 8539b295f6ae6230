namespace P2PNode.Training.Runtime;

/// <summary>
/// The contributions a node holds for the rounds it has not aggregated yet. A contribution for a round that has
/// already closed here is late: it is kept and folded into the next aggregation, so it is never lost; every entry
/// hash is used at most once, so nothing is counted twice. One author, one contribution per round: a second,
/// different one is equivocation. Thread-safe.
/// </summary>
public sealed class RoundBook(byte[] run, int lateWindow = 4, int aheadWindow = 2)
{
    private readonly Lock _gate = new();
    private readonly List<ReceivedContribution> _pending = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Author, ulong Round), string> _byAuthorRound = [];
    private ulong _open;

    /// <summary>The lowest round this node has not aggregated yet.</summary>
    public ulong OpenRound { get { lock (_gate) return _open; } }

    public OfferResult Offer(ReceivedContribution c)
    {
        if (!c.Entry.Entry.Run.AsSpan().SequenceEqual(run)) return OfferResult.WrongRun;
        lock (_gate)
        {
            if (_seen.Contains(c.Hash)) return OfferResult.Duplicate;
            if (_byAuthorRound.TryGetValue((c.Author, c.Round), out var other) && other != c.Hash) return OfferResult.Equivocation;
            if (c.Round + (ulong)lateWindow < _open || c.Round > _open + (ulong)aheadWindow) return OfferResult.OutOfWindow;
            _seen.Add(c.Hash);
            _byAuthorRound[(c.Author, c.Round)] = c.Hash;
            _pending.Add(c);
            return OfferResult.Accepted;
        }
    }

    /// <summary>Distinct authors holding a contribution for exactly this round.</summary>
    public int AuthorsFor(ulong round) => AuthorSetFor(round).Count;

    /// <summary>Authors (public key hex) holding a contribution for exactly this round.</summary>
    public IReadOnlySet<string> AuthorSetFor(ulong round)
    {
        lock (_gate) return _pending.Where(c => c.Round == round).Select(c => c.Author).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Closes the open round: returns every pending contribution of that round or earlier (earlier = late ones),
    /// in canonical order (round, then author), removes them, and opens the next round.
    /// </summary>
    public IReadOnlyList<ReceivedContribution> Close()
    {
        lock (_gate)
        {
            var taken = _pending.Where(c => c.Round <= _open)
                .OrderBy(c => c.Round).ThenBy(c => c.Author, StringComparer.Ordinal).ToList();
            _pending.RemoveAll(c => c.Round <= _open);
            _open++;
            // Forget equivocation keys of rounds that can no longer be offered.
            foreach (var key in _byAuthorRound.Keys.Where(k => k.Round + (ulong)lateWindow < _open).ToList()) _byAuthorRound.Remove(key);
            return taken;
        }
    }

    /// <summary>Restart: the open round comes from the node's checkpoint.</summary>
    public void Reset(ulong openRound)
    {
        lock (_gate)
        {
            _open = openRound;
            _pending.RemoveAll(c => c.Round + (ulong)lateWindow < openRound);
        }
    }
}
