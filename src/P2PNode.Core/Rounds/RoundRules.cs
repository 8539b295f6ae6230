namespace P2PNode.Rounds;

/// <summary>
/// When a round closes (docs/runtime.md §3 step 6): a quorum of the active nodes, or a deadline that follows the
/// node's measured pace. The defaults are a run's (RunSpec: quorum 1.0, deadline_factor 2.0, min_deadline_ms 5000).
/// </summary>
public sealed record RoundRules
{
    /// <summary>Contributions more than this many rounds ahead of the open round are not kept (no offence).</summary>
    public const ulong AheadWindow = 2;

    /// <summary>How many deadlines a round waits at most for a live straggler, or, when a restart may have lost its
    /// contributions, for the peers' result.</summary>
    public const int StragglerSpans = 4;

    /// <summary>The pace a node assumes before it has measured a round (ms of compute per round).</summary>
    public const double InitialComputeMs = 5000;

    /// <summary>A node heard from within max(this, 4 × the pace) is active.</summary>
    public const long MinActiveWindowMs = 15_000;

    /// <summary>Fraction of the active nodes (this one included) whose contributions close a round, in (0, 1].</summary>
    public double Quorum { get; init; } = 1.0;

    /// <summary>The deadline is this many times the smoothed round compute time after the node trained the round.</summary>
    public double DeadlineFactor { get; init; } = 2.0;

    /// <summary>The deadline is never shorter than this (ms).</summary>
    public int MinDeadlineMs { get; init; } = 5000;

    /// <summary>Throws <see cref="ArgumentException"/> for out-of-range settings (the same bounds RunSpec checks).</summary>
    public void Validate()
    {
        if (!(Quorum > 0 && Quorum <= 1)) throw new ArgumentException($"quorum must be in (0, 1], got {Quorum}", nameof(Quorum));
        if (!(DeadlineFactor > 0) || double.IsInfinity(DeadlineFactor)) throw new ArgumentException($"deadline_factor must be > 0, got {DeadlineFactor}", nameof(DeadlineFactor));
        if (MinDeadlineMs < 0) throw new ArgumentException($"min_deadline_ms must be >= 0, got {MinDeadlineMs}", nameof(MinDeadlineMs));
    }

    /// <summary>Distinct authors needed to close on quorum with <paramref name="active"/> active nodes:
    /// ceil(quorum × active), with a 1e-9 slack so that 0.28 × 25 = 7.000000000000001 needs 7, not 8.</summary>
    public int Need(int active) => (int)Math.Ceiling(Quorum * active - 1e-9);
}
