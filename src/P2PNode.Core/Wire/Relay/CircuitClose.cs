using MessagePack;

namespace P2PNode.Wire.Relay;

/// <summary>Ends a circuit (or refuses one being opened), in either direction; the relay passes it on to the
/// other leg with the same status. Nothing more is sent for the id afterwards.</summary>
public sealed record CircuitClose(ulong CircuitId, RelayStatus Status, string Message) : WireMessage
{
    public override MessageType Type => MessageType.CircuitClose;
    public override int FieldCount => 3;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(CircuitId);
        w.Write((uint)Status);
        w.Write(Message);
    }

    public static CircuitClose Read(ref MessagePackReader r) => new(
        Fields.ReadUInt64(ref r, "circuit_close.circuit_id"),
        RelayFields.ReadStatus(ref r, "circuit_close.status"),
        Fields.ReadString(ref r, WireLimits.MaxTextLength, "circuit_close.message"));
}
