using P2PNode.Aggregation;

namespace P2PNode.Training.Runtime;

/// <summary>
/// The contributions a node holds for the rounds it has not aggregated yet. A contribution for a round that has
/// already closed here is late: it is kept and folded into the next aggregation, so it is never lost; every entry
/// hash is used at most once, so nothing is counted twice. One author, one contribution per round: a second,
/// different one is equivocation. Thread-safe.
/// </summary>
public sealed class RoundBook(byte[] run)
{
    /// <summary>Contributions more than this many rounds ahead of the open round are ignored (not kept, no offence);
    /// late ones are kept up to <see cref="AggregationPolicy.MaxLateRounds"/> behind it.</summary>
    public const ulong AheadWindow = 2;

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
            if (c.Round + AggregationPolicy.MaxLateRounds < _open || c.Round > _open + AheadWindow) return OfferResult.OutOfWindow;
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
            OpenNext();
            return taken;
        }
    }

    /// <summary>
    /// A restarted node: the open round comes from its checkpoint, and the contributions it held for that round and
    /// the ones after it (up to the ahead window) died with the process; peers do not send them again. Those rounds
    /// are <see cref="Incomplete"/>: closing one from this book alone is what made a restarted node aggregate a
    /// round with zero contributions and split from its peers (issue 11). It takes their result instead
    /// (<see cref="Adopt"/>).
    /// </summary>
    public void Restart(ulong openRound)
    {
        Reset(openRound);
        lock (_gate) _incompleteBelow = openRound + AheadWindow;
    }

    /// <summary>True while <paramref name="round"/> is a round whose contributions this node may have lost in a restart.</summary>
    public bool Incomplete(ulong round)
    {
        lock (_gate) return round < _incompleteBelow;
    }

    /// <summary>
    /// Closes the open round with a result taken from peers instead of this book: its pending inputs (that round
    /// and earlier) are dropped unused, since the peers' aggregation already used them (their entry hashes stay
    /// seen, so they are never offered again), and the next round opens. Returns how many were dropped.
    /// </summary>
    public int Adopt()
    {
        lock (_gate)
        {
            var dropped = _pending.RemoveAll(c => c.Round <= _open);
            OpenNext();
            return dropped;
        }
    }

    private ulong _incompleteBelow;

    // Under the lock: opens the next round and forgets equivocation keys of rounds that can no longer be offered.
    private void OpenNext()
    {
        _open++;
        foreach (var key in _byAuthorRound.Keys.Where(k => k.Round + AggregationPolicy.MaxLateRounds < _open).ToList()) _byAuthorRound.Remove(key);
    }

    /// <summary>Restart: the open round comes from the node's checkpoint.</summary>
    public void Reset(ulong openRound)
    {
        lock (_gate)
        {
            _open = openRound;
            _pending.RemoveAll(c => c.Round + AggregationPolicy.MaxLateRounds < openRound);
        }
    }
}
