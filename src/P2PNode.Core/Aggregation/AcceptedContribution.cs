namespace P2PNode.Aggregation;

/// <summary>
/// A contribution that entered the aggregate: its weight (samples, capped), its L2 norm before clipping and
/// the factor it was scaled by (1 when not clipped). Enough for an auditor to recompute the aggregate.
/// </summary>
public sealed record AcceptedContribution(byte[] ContributorId, long Samples, double Weight, double Norm, double ClipFactor);
