using MessagePack;

namespace P2PNode.Wire.Relay;

/// <summary>Asks the relay to hold a reservation for the sender on this session (new or renewed). Answered by
/// <see cref="ReserveOk"/> or <see cref="ReserveRefused"/>. No fields.</summary>
public sealed record ReserveRequest : WireMessage
{
    public override MessageType Type => MessageType.ReserveRequest;
    public override int FieldCount => 0;
    public override void WriteFields(ref MessagePackWriter w) { }
    public static ReserveRequest Read(ref MessagePackReader r) => new();
}
