using MessagePack;

namespace P2PNode.Wire.Relay;

/// <summary>The circuit is open: sent by the target to the relay (accepting an <see cref="IncomingCircuit"/>),
/// then by the relay to the dialer (answering its <see cref="ConnectRequest"/>). Data may flow after it.</summary>
public sealed record CircuitOpen(ulong CircuitId) : WireMessage
{
    public override MessageType Type => MessageType.CircuitOpen;
    public override int FieldCount => 1;
    public override void WriteFields(ref MessagePackWriter w) => w.Write(CircuitId);
    public static CircuitOpen Read(ref MessagePackReader r) => new(Fields.ReadUInt64(ref r, "circuit_open.circuit_id"));
}
