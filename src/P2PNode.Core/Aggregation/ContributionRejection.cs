namespace P2PNode.Aggregation;

/// <summary>A contribution left out of the aggregate: why (its <see cref="RejectionReasons.Code"/> goes into the
/// ledger) and the particulars, in words fit for the log.</summary>
public sealed record ContributionRejection(byte[] ContributorId, RejectionReason Reason, string Detail);
