namespace P2PNode.Ledger.Audit;

/// <summary>What one author did, as the ledger shows it (only entries with valid signatures count).</summary>
public sealed record ContributorStats
{
    public required string Author { get; init; }
    public string DisplayName { get; init; } = "";
    public string Organisation { get; init; } = "";
    public int Contributions { get; init; }
    public IReadOnlyList<ulong> Rounds { get; init; } = [];
    public ulong Samples { get; init; }
    public int Accepted { get; init; }
    public int Rejected { get; init; }
    public IReadOnlyDictionary<string, int> RejectReasons { get; init; } = new Dictionary<string, int>();
    public int AttestationsReceived { get; init; }
    /// <summary>Mean of (loss_after - loss_before) others measured on this author's contributions; negative is good.</summary>
    public double? MeanAttestedLossDelta { get; init; }
    public int AttestationsGiven { get; init; }
    public int Aggregations { get; init; }
    public bool Flagged { get; init; }
    /// <summary>Samples credited: those of contributions an aggregation used, less inflated claims and contributions
    /// with no measured effect (docs/ledger.md §7).</summary>
    public ulong CreditedSamples { get; init; }
    /// <summary>Distinct rounds with a credited contribution.</summary>
    public int CreditedRounds { get; init; }
    /// <summary>Contributions some aggregation excluded as judged_harmful.</summary>
    public int JudgedHarmful { get; init; }
    /// <summary>What only a liar does, flag → how many contributions (ContributorReport.Flag*).</summary>
    public IReadOnlyDictionary<string, int> Flags { get; init; } = new Dictionary<string, int>();
    public IReadOnlyList<string> Anomalies { get; init; } = [];
}
