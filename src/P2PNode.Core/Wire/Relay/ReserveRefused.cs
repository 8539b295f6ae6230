using MessagePack;

namespace P2PNode.Wire.Relay;

/// <summary>The relay will not hold a reservation for the sender: <see cref="Status"/> says why.</summary>
public sealed record ReserveRefused(RelayStatus Status, string Message) : WireMessage
{
    public override MessageType Type => MessageType.ReserveRefused;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write((uint)Status);
        w.Write(Message);
    }

    public static ReserveRefused Read(ref MessagePackReader r) => new(
        RelayFields.ReadStatus(ref r, "reserve_refused.status"),
        Fields.ReadString(ref r, WireLimits.MaxTextLength, "reserve_refused.message"));
}
