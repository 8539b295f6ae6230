namespace P2PNode.Rounds;

/// <summary>What <see cref="RoundEngine{T}.Offer"/> did with a contribution.</summary>
public enum RoundOffer
{
    /// <summary>Kept for the round it names (or, if that round has closed here, for the next close: late).</summary>
    Accepted,
    /// <summary>The same entry again (gossip redundancy or a replay): ignored, never counted twice.</summary>
    Duplicate,
    /// <summary>A second, different contribution by the same author for the same round: refused.</summary>
    Equivocation,
    /// <summary>More than <see cref="Aggregation.AggregationPolicy.MaxLateRounds"/> rounds behind the open round: not kept.</summary>
    TooLate,
    /// <summary>More than <see cref="RoundRules.AheadWindow"/> rounds ahead of the open round: not kept.</summary>
    TooFarAhead,
}
