using P2PNode.Identity;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay;

/// <summary>A broadcast message as handed to the application: signature checked, validated, first copy only.</summary>
public sealed record GossipDelivery(MessageId Id, string Topic, PeerId Origin, ulong Sequence, ulong TimestampMs, byte[] Payload, uint Hops, PeerId From)
{
    /// <summary>What <see cref="IGossipValidator.Prepare"/> returned for this message outside the overlay's lock (null:
    /// not prepared, e.g. in the simulator): <see cref="IGossipValidator.Validate"/> takes it from here.</summary>
    public object? Prepared { get; init; }
}
