namespace P2PNode.Aggregation;

/// <summary>One peer's decoded pseudo-gradient for a round, with the sample count it claims.</summary>
public sealed record DeltaContribution
{
    /// <summary>Contributor identity bytes (the node's public key or peer id). Also the canonical sort key
    /// that makes aggregation independent of arrival order.</summary>
    public required byte[] ContributorId { get; init; }

    /// <summary>Training samples behind this delta; the weight of the contribution (see
    /// <see cref="AggregationOptions.MaxSamples"/>). Must be positive.</summary>
    public required long Samples { get; init; }

    /// <summary>The decoded pseudo-gradient, one value per model parameter.</summary>
    public required ReadOnlyMemory<float> Delta { get; init; }
}
