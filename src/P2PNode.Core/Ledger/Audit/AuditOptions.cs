namespace P2PNode.Ledger.Audit;

public sealed record AuditOptions
{
    /// <summary>Each author's latest tree head needs at least this many valid cosignatures from witnesses
    /// other than the author (0: witnessing is reported, not required). A federation sets it to its quorum.</summary>
    public int MinWitnesses { get; init; }

    /// <summary>Threads for signature checks (default: every core). Signature checks dominate audit time.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}
