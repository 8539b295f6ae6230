namespace P2PNode.Overlay;

/// <summary>Outcome of <see cref="IGossipValidator"/>, as in gossipsub.</summary>
public enum ValidationResult
{
    /// <summary>Deliver and forward.</summary>
    Accept,

    /// <summary>Invalid: drop, do not forward, count an offence against the peer that sent it.</summary>
    Reject,

    /// <summary>Not for us or not useful (e.g. a round we are past): drop, do not forward, no offence.</summary>
    Ignore,
}
