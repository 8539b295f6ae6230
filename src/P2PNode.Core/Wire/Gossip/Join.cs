using MessagePack;

namespace P2PNode.Wire.Gossip;

/// <summary>HyParView JOIN: a new node asks its contact to take it into the overlay. The sender is the session's
/// peer; <see cref="Address"/> is where others can dial it (passed on in <see cref="ForwardJoin"/>).</summary>
public sealed record Join(string Address) : WireMessage
{
    public override MessageType Type => MessageType.Join;
    public override int FieldCount => 1;
    public override void WriteFields(ref MessagePackWriter w) => w.Write(Address);
    public static Join Read(ref MessagePackReader r) => new(Fields.ReadString(ref r, WireLimits.MaxAddressLength, "join.address"));
}
