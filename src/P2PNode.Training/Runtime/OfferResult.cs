namespace P2PNode.Training.Runtime;

/// <summary>What <see cref="RoundBook.Offer"/> did with a contribution.</summary>
public enum OfferResult
{
    /// <summary>Kept for the round it names (or, if that round has closed here, for the next one: late).</summary>
    Accepted,
    /// <summary>The same entry again (gossip redundancy or a replay): ignored, never counted twice.</summary>
    Duplicate,
    /// <summary>A second, different contribution by the same author for the same round: refused.</summary>
    Equivocation,
    /// <summary>For a round this node will not aggregate (too far behind or ahead): refused.</summary>
    OutOfWindow,
    /// <summary>Of another run: refused.</summary>
    WrongRun,
}
