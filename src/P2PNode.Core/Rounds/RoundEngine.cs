using P2PNode.Aggregation;

namespace P2PNode.Rounds;

/// <summary>
/// The rounds of one run on one node as a pure state machine (issue 13): the open round, the contributions held
/// per round, when the open round closes (quorum or a deadline that follows the measured pace), late contributions
/// (kept up to <see cref="AggregationPolicy.MaxLateRounds"/> rounds and folded into the next close), and the advance
/// after a close or after adopting the peers' result. It owns no clock, no thread and no lock: the driver passes the
/// time in (any monotonic milliseconds) and serialises calls. <typeparamref name="T"/> is what the driver keeps
/// with a contribution (the runtime: its decoded message); the engine only reads round, author and entry hash.
/// </summary>
/// <remarks>Port of RoundBook and TrainingNode.ReadyToClose (docs/runtime.md §3 step 6, §5, §7); RoundBook is a
/// locked wrapper over it.</remarks>
public sealed class RoundEngine<T>
{
    private readonly RoundRules _rules;
    private readonly List<Held> _pending = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Author, ulong Round), string> _byAuthorRound = [];
    private readonly Dictionary<ulong, long> _trainedAt = [];
    private ulong _open;
    private ulong _incompleteBelow;
    private ulong? _waitedFor;

    private readonly record struct Held(ulong Round, string Author, string Hash, T Item);

    public RoundEngine(RoundRules? rules = null)
    {
        _rules = rules ?? new RoundRules();
        _rules.Validate();
    }

    public RoundRules Rules => _rules;

    /// <summary>The lowest round this node has not aggregated (or adopted) yet.</summary>
    public ulong OpenRound => _open;

    /// <summary>The node's smoothed compute time per round, ms (starts at <see cref="RoundRules.InitialComputeMs"/>).</summary>
    public double ComputeMs { get; private set; } = RoundRules.InitialComputeMs;

    /// <summary>A round's compute took <paramref name="seconds"/>: the pace moves 30% of the way towards it.</summary>
    public void RecordCompute(double seconds) => ComputeMs = 0.7 * ComputeMs + 0.3 * seconds * 1000;

    /// <summary>How long after the node trained a round its deadline falls: max(min_deadline_ms, deadline_factor × pace).</summary>
    public double SpanMs => Math.Max(_rules.MinDeadlineMs, _rules.DeadlineFactor * ComputeMs);

    /// <summary>A peer heard from within this many ms is an active member: max(15 s, 4 × pace).</summary>
    public long ActiveWindowMs => (long)Math.Max(RoundRules.MinActiveWindowMs, 4 * ComputeMs);

    /// <summary>Files a contribution of <paramref name="round"/> by <paramref name="author"/> whose entry hash is
    /// <paramref name="hash"/>. Checked in this order: duplicate entry, equivocation, window.</summary>
    public RoundOffer Offer(ulong round, string author, string hash, T item)
    {
        ArgumentNullException.ThrowIfNull(author);
        ArgumentNullException.ThrowIfNull(hash);
        if (_seen.Contains(hash)) return RoundOffer.Duplicate;
        if (_byAuthorRound.TryGetValue((author, round), out var other) && other != hash) return RoundOffer.Equivocation;
        if (round + AggregationPolicy.MaxLateRounds < _open) return RoundOffer.TooLate;
        if (round > _open + RoundRules.AheadWindow) return RoundOffer.TooFarAhead;
        _seen.Add(hash);
        _byAuthorRound[(author, round)] = hash;
        _pending.Add(new Held(round, author, hash, item));
        return RoundOffer.Accepted;
    }

    /// <summary>The contributions held for exactly this round, in arrival order.</summary>
    public IReadOnlyList<T> HeldFor(ulong round) => [.. _pending.Where(c => c.Round == round).Select(c => c.Item)];

    /// <summary>Distinct authors holding a contribution for exactly this round.</summary>
    public int AuthorsFor(ulong round) => AuthorSetFor(round).Count;

    /// <summary>Authors holding a contribution for exactly this round.</summary>
    public IReadOnlySet<string> AuthorSetFor(ulong round) =>
        _pending.Where(c => c.Round == round).Select(c => c.Author).ToHashSet(StringComparer.Ordinal);

    /// <summary>This node has trained <paramref name="round"/> (and contributed, or had contributed before a restart)
    /// at <paramref name="nowMs"/>: the round may close from now on, and its deadline counts from here.</summary>
    public void Trained(ulong round, long nowMs) => _trainedAt[round] = nowMs;

    /// <summary>When this node trained <paramref name="round"/> (null: not yet, or forgotten).</summary>
    public long? TrainedAt(ulong round) => _trainedAt.TryGetValue(round, out var at) ? at : null;

    /// <summary>
    /// Whether the open round closes at <paramref name="nowMs"/> (docs/runtime.md §3 step 6), in this order: never
    /// before this node trained it; a round a restart may have lost waits for the peers' result while a peer is on
    /// it, up to <see cref="RoundRules.StragglerSpans"/> spans; a quorum closes it; short of one it waits for the
    /// deadline (trained + <see cref="SpanMs"/>), and past it for live stragglers up to
    /// <see cref="RoundRules.StragglerSpans"/> spans; then it closes on the deadline.
    /// </summary>
    public CloseDecision Decide(long nowMs, CloseInputs inputs)
    {
        var round = _open;
        if (!_trainedAt.TryGetValue(round, out var at)) return new CloseDecision(round, CloseReason.NotTrained, AuthorsFor(round), _rules.Need(inputs.ActiveMembers), 0);
        var need = _rules.Need(inputs.ActiveMembers);
        var span = SpanMs;
        var have = AuthorsFor(round);
        var deadline = at + span;
        var longest = at + RoundRules.StragglerSpans * span;
        if (Incomplete(round) && inputs.PeerOnRound && nowMs < longest)
            return new CloseDecision(round, CloseReason.AwaitingPeersResult, have, need, deadline, WakeMs: longest);
        if (have >= need) return new CloseDecision(round, CloseReason.Quorum, have, need, deadline);
        if (nowMs < deadline) return new CloseDecision(round, CloseReason.BeforeDeadline, have, need, deadline, WakeMs: deadline);
        if (inputs.Stragglers > 0 && nowMs < longest)
        {
            var first = _waitedFor != round;
            _waitedFor = round;
            return new CloseDecision(round, CloseReason.WaitingForStragglers, have, need, deadline, first, longest);
        }
        return new CloseDecision(round, CloseReason.Deadline, have, need, deadline);
    }

    /// <summary>
    /// Closes the open round: returns every held contribution of that round or earlier (earlier = late ones), in
    /// canonical order (round, then author), removes them, and opens the next round. Their entry hashes stay seen,
    /// so none is ever returned twice.
    /// </summary>
    public ClosedRound<T> Close()
    {
        var round = _open;
        var taken = _pending.Where(c => c.Round <= round)
            .OrderBy(c => c.Round).ThenBy(c => c.Author, StringComparer.Ordinal).ToList();
        _pending.RemoveAll(c => c.Round <= round);
        OpenNext();
        return new ClosedRound<T>(round, taken.Select(c => c.Item).ToList(), taken.Count(c => c.Round < round));
    }

    /// <summary>
    /// Closes the open round with a result taken from peers instead of this book: its held inputs (that round and
    /// earlier) are dropped unused, since the peers' aggregation already used them (their entry hashes stay seen),
    /// and the next round opens. Returns how many were dropped.
    /// </summary>
    public int Adopt()
    {
        var dropped = _pending.RemoveAll(c => c.Round <= _open);
        OpenNext();
        return dropped;
    }

    /// <summary>
    /// A restarted node: the open round comes from its checkpoint, and the contributions it held for that round and
    /// the ones after it (up to the ahead window) died with the process; peers do not send them again. Those rounds
    /// are <see cref="Incomplete"/> until closed or adopted (issue 11).
    /// </summary>
    public void Restart(ulong openRound)
    {
        Reset(openRound);
        _incompleteBelow = openRound + RoundRules.AheadWindow;
    }

    /// <summary>True while <paramref name="round"/> is a round whose contributions this node may have lost in a restart.</summary>
    public bool Incomplete(ulong round) => round < _incompleteBelow;

    /// <summary>Sets the open round (the node's checkpoint) and drops what can no longer be used there; the book is
    /// not marked incomplete (<see cref="Restart"/> does that).</summary>
    public void Reset(ulong openRound)
    {
        _open = openRound;
        _pending.RemoveAll(c => c.Round + AggregationPolicy.MaxLateRounds < openRound);
    }

    // Opens the next round and forgets what rounds that can no longer be offered needed (equivocation keys, trained marks).
    private void OpenNext()
    {
        _open++;
        foreach (var key in _byAuthorRound.Keys.Where(k => k.Round + AggregationPolicy.MaxLateRounds < _open).ToList()) _byAuthorRound.Remove(key);
        foreach (var r in _trainedAt.Keys.Where(r => r + AggregationPolicy.MaxLateRounds < _open).ToList()) _trainedAt.Remove(r);
    }
}
