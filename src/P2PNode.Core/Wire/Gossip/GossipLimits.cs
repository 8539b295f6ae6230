namespace P2PNode.Wire.Gossip;

/// <summary>
/// Hard bounds on gossip message fields, enforced by the decoders before anything is stored (docs/overlay.md,
/// "Limits"). Nodes may apply tighter limits through OverlayOptions; these are the most any node accepts.
/// </summary>
public static class GossipLimits
{
    /// <summary>Topic names are 1..64 bytes of UTF-8 (one topic per training run, e.g. "run/fmnist-2025-01").</summary>
    public const int MaxTopicLength = 64;

    /// <summary>Largest gossip payload: the 4 MiB frame limit minus 1 KiB for the envelope. Bulk objects
    /// (deltas, checkpoints) are announced by content hash and fetched in chunks, not gossiped whole.</summary>
    public const int MaxPayloadLength = 4 * 1024 * 1024 - 1024;

    /// <summary>Random-walk time-to-live (ForwardJoin, Shuffle); receivers also clamp it to their own walk length.</summary>
    public const uint MaxWalkTtl = 16;

    /// <summary>Peer entries in one Shuffle or ShuffleReply.</summary>
    public const int MaxShuffleEntries = 32;

    /// <summary>Message ids in one IHave or Graft.</summary>
    public const int MaxAnnouncedIds = 1024;

    public const int PublicKeyLength = 32;
    public const int SignatureLength = 64;
}
