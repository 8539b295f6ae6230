using MessagePack;

namespace P2PNode.Wire.Gossip;

/// <summary>Answer to <see cref="Neighbor"/>: accepted (both sides now hold each other in the active view) or not.</summary>
public sealed record NeighborReply(bool Accepted) : WireMessage
{
    public override MessageType Type => MessageType.NeighborReply;
    public override int FieldCount => 1;
    public override void WriteFields(ref MessagePackWriter w) => w.Write(Accepted);
    public static NeighborReply Read(ref MessagePackReader r) => new(GossipFields.ReadBool(ref r, "neighbor_reply.accepted"));
}
