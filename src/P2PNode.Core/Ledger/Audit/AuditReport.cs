namespace P2PNode.Ledger.Audit;

/// <summary>The audit's answer: findings (any finding means exit code 1), plus per-author figures.</summary>
public sealed record AuditReport(IReadOnlyList<Finding> Findings, IReadOnlyList<AuthorSummary> Authors, long Entries, long Heads, long Cosignatures)
{
    public bool Valid => Findings.Count == 0;
}
