namespace P2PNode.Ledger.Audit;

/// <summary>One author's log as the audit saw it.</summary>
public sealed record AuthorSummary(string Author, long Entries, ulong LatestHeadSize, int Witnesses, bool Flagged);
