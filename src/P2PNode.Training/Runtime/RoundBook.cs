using P2PNode.Aggregation;
using P2PNode.Identity;
using P2PNode.Rounds;

namespace P2PNode.Training.Runtime;

/// <summary>
/// The contributions a node holds for the rounds it has not aggregated yet. A contribution for a round that has
/// already closed here is late: it is kept and folded into the next aggregation, so it is never lost; every entry
/// hash is used at most once, so nothing is counted twice. One author, one contribution per round: a second,
/// different one is equivocation. Thread-safe: a locked wrapper over <see cref="RoundEngine{T}"/> (P2PNode.Core/Rounds),
/// which holds the rules, plus the run check.
/// </summary>
public sealed class RoundBook(byte[] run, RoundRules? rules = null)
{
    /// <summary>Contributions more than this many rounds ahead of the open round are ignored (not kept, no offence);
    /// late ones are kept up to <see cref="AggregationPolicy.MaxLateRounds"/> behind it.</summary>
    public const ulong AheadWindow = RoundRules.AheadWindow;

    private readonly Lock _gate = new();
    private readonly RoundEngine<ReceivedContribution> _engine = new(rules);

    /// <summary>The lowest round this node has not aggregated yet.</summary>
    public ulong OpenRound { get { lock (_gate) return _engine.OpenRound; } }

    public OfferResult Offer(ReceivedContribution c)
    {
        if (!c.Entry.Entry.Run.AsSpan().SequenceEqual(run)) return OfferResult.WrongRun;
        lock (_gate)
            return _engine.Offer(c.Round, Key(c.Author), c.Hash, c) switch
            {
                RoundOffer.Accepted => OfferResult.Accepted,
                RoundOffer.Duplicate => OfferResult.Duplicate,
                RoundOffer.Equivocation => OfferResult.Equivocation,
                _ => OfferResult.OutOfWindow, // too late or too far ahead
            };
    }

    /// <summary>The contributions held for exactly this round (not yet aggregated).</summary>
    public IReadOnlyList<ReceivedContribution> HeldFor(ulong round)
    {
        lock (_gate) return _engine.HeldFor(round);
    }

    /// <summary>Distinct authors holding a contribution for exactly this round.</summary>
    public int AuthorsFor(ulong round) => AuthorSetFor(round).Count;

    /// <summary>Authors holding a contribution for exactly this round.</summary>
    public IReadOnlySet<PeerId> AuthorSetFor(ulong round)
    {
        IReadOnlySet<string> keys;
        lock (_gate) keys = _engine.AuthorSetFor(round);
        return keys.Select(k => PeerId.FromPublicKey(Convert.FromHexString(k))).ToHashSet();
    }

    /// <summary>The engine's author key: the public key in hex. Its canonical order (round, then author) is the order
    /// contributions are summed in, so the key must sort as the key bytes do; peer id text (base32 with '2'-'7'
    /// before 'a') does not, and summing in another order changes the model's last bits.</summary>
    private static string Key(PeerId author) => Convert.ToHexStringLower(author.PublicKey.Span);

    /// <summary>
    /// Closes the open round: returns every pending contribution of that round or earlier (earlier = late ones),
    /// in canonical order (round, then author), removes them, and opens the next round.
    /// </summary>
    public IReadOnlyList<ReceivedContribution> Close()
    {
        lock (_gate) return _engine.Close().Inputs;
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
        lock (_gate) _engine.Restart(openRound);
    }

    /// <summary>True while <paramref name="round"/> is a round whose contributions this node may have lost in a restart.</summary>
    public bool Incomplete(ulong round)
    {
        lock (_gate) return _engine.Incomplete(round);
    }

    /// <summary>
    /// Closes the open round with a result taken from peers instead of this book: its pending inputs (that round
    /// and earlier) are dropped unused, since the peers' aggregation already used them (their entry hashes stay
    /// seen, so they are never offered again), and the next round opens. Returns how many were dropped.
    /// </summary>
    public int Adopt()
    {
        lock (_gate) return _engine.Adopt();
    }

    /// <summary>This node trained <paramref name="round"/> at <paramref name="nowMs"/> (<see cref="RoundEngine{T}.Trained"/>).</summary>
    public void Trained(ulong round, long nowMs)
    {
        lock (_gate) _engine.Trained(round, nowMs);
    }

    /// <summary>When this node trained <paramref name="round"/> (null: not yet).</summary>
    public long? TrainedAt(ulong round)
    {
        lock (_gate) return _engine.TrainedAt(round);
    }

    /// <summary>A round's compute took <paramref name="seconds"/>: moves the pace (<see cref="RoundEngine{T}.RecordCompute"/>).</summary>
    public void RecordCompute(double seconds)
    {
        lock (_gate) _engine.RecordCompute(seconds);
    }

    /// <summary>The smoothed compute time per round, ms.</summary>
    public double ComputeMs { get { lock (_gate) return _engine.ComputeMs; } }

    /// <summary>A peer heard from within this many ms is active (<see cref="RoundEngine{T}.ActiveWindowMs"/>).</summary>
    public long ActiveWindowMs { get { lock (_gate) return _engine.ActiveWindowMs; } }

    /// <summary>One round deadline span (RoundEngine.SpanMs): how long the judging step waits for the others' scores.</summary>
    public double SpanMs { get { lock (_gate) return _engine.SpanMs; } }

    /// <summary>Whether the open round closes at <paramref name="nowMs"/> (<see cref="RoundEngine{T}.Decide"/>).</summary>
    public CloseDecision Decide(long nowMs, CloseInputs inputs)
    {
        lock (_gate) return _engine.Decide(nowMs, inputs);
    }

    /// <summary>Restart: the open round comes from the node's checkpoint.</summary>
    public void Reset(ulong openRound)
    {
        lock (_gate) _engine.Reset(openRound);
    }
}
