namespace P2PNode.Aggregation;

/// <summary>A contribution left out of the aggregate and why, in words fit for the ledger.</summary>
public sealed record ContributionRejection(byte[] ContributorId, string Reason);
