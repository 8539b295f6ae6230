using MessagePack;
using P2PNode.Identity;

namespace P2PNode.Wire.Gossip;

/// <summary>HyParView FORWARD_JOIN: a random walk announcing a new node. Where it ends (ttl 0, or a node with a
/// single neighbour) the new node is taken into the active view; at ttl = PRWL it is added to the passive view.</summary>
public sealed record ForwardJoin(PeerId NewPeer, string Address, uint Ttl) : WireMessage
{
    public override MessageType Type => MessageType.ForwardJoin;
    public override int FieldCount => 3;

    public override void WriteFields(ref MessagePackWriter w)
    {
        GossipFields.WritePeer(ref w, NewPeer);
        w.Write(Address);
        w.Write(Ttl);
    }

    public static ForwardJoin Read(ref MessagePackReader r) => new(
        GossipFields.ReadPeer(ref r, "forward_join.public_key"),
        Fields.ReadString(ref r, WireLimits.MaxAddressLength, "forward_join.address"),
        GossipFields.ReadTtl(ref r, "forward_join.ttl"));
}
