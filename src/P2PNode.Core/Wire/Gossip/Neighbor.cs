using MessagePack;

namespace P2PNode.Wire.Gossip;

/// <summary>HyParView NEIGHBOR: asks the receiver to take the sender into its active view. A high-priority
/// request (the sender has no neighbours left, or is accepting a ForwardJoin) is always accepted, evicting a
/// random neighbour if needed; a low-priority one only when the receiver has room.</summary>
public sealed record Neighbor(bool HighPriority, string Address) : WireMessage
{
    public override MessageType Type => MessageType.Neighbor;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(HighPriority);
        w.Write(Address);
    }

    public static Neighbor Read(ref MessagePackReader r) => new(
        GossipFields.ReadBool(ref r, "neighbor.high_priority"),
        Fields.ReadString(ref r, WireLimits.MaxAddressLength, "neighbor.address"));
}
