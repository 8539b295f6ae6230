namespace P2PNode.Aggregation;

/// <summary>What <see cref="DeltaAggregator.Aggregate"/> did, in canonical (contributor id) order.</summary>
public sealed record AggregationReport
{
    /// <summary>Contributions in the aggregate, sorted by contributor id bytes.</summary>
    public required IReadOnlyList<AcceptedContribution> Accepted { get; init; }

    /// <summary>Contributions left out. From <see cref="DeltaAggregator"/>: sorted by contributor id bytes, then
    /// detail. From <see cref="AggregationPolicy.Apply"/>: its norm outliers (last input first) before those.</summary>
    public required IReadOnlyList<ContributionRejection> Rejected { get; init; }

    /// <summary>Sum of accepted weights; 0 when nothing was accepted (the output is then all zeros).</summary>
    public required double TotalWeight { get; init; }

    /// <summary>The L2 norm contributions were clipped to, or null when clipping was off.</summary>
    public double? ClipThreshold { get; init; }

    /// <summary>Values dropped from each end of every coordinate by the trimmed mean (0: plain weighted mean).</summary>
    public int TrimmedPerSide { get; init; }
}
