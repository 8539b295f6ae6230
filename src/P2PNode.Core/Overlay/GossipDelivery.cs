using P2PNode.Identity;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay;

/// <summary>A broadcast message as handed to the application: signature checked, validated, first copy only.</summary>
public sealed record GossipDelivery(MessageId Id, string Topic, PeerId Origin, ulong Sequence, ulong TimestampMs, byte[] Payload, uint Hops, PeerId From);
