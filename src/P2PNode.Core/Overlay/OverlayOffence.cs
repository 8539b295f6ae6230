namespace P2PNode.Overlay;

/// <summary>Kinds of bad input the overlay detects; reported through <see cref="IOverlaySink.Offence"/> for peer scoring.</summary>
public enum OverlayOffence
{
    /// <summary>A gossip message whose origin signature does not verify (forged or corrupted).</summary>
    BadSignature,

    /// <summary>A gossip message already accepted earlier (outside the seen-cache) or behind the origin's window.</summary>
    Replay,

    /// <summary>Timestamp too old or too far in the future.</summary>
    Stale,

    /// <summary>Payload over this node's limit, or an IHAVE/GRAFT with more ids than allowed.</summary>
    Oversized,

    /// <summary>The application rejected the message.</summary>
    Rejected,

    /// <summary>A well-formed message that makes no sense in context (e.g. naming ourselves as a new peer).</summary>
    Nonsense,
}
