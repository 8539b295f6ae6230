using MessagePack;
using P2PNode.Identity;

namespace P2PNode.Wire.Relay;

/// <summary>Relay to target, over the target's reservation session: <see cref="Source"/> asks for a circuit.
/// <see cref="CircuitId"/> is chosen by the relay and names the circuit on this session. The target answers
/// <see cref="CircuitOpen"/> (then acts as Noise responder) or <see cref="CircuitClose"/>.</summary>
public sealed record IncomingCircuit(ulong CircuitId, PeerId Source) : WireMessage
{
    public override MessageType Type => MessageType.IncomingCircuit;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(CircuitId);
        RelayFields.WritePeer(ref w, Source);
    }

    public static IncomingCircuit Read(ref MessagePackReader r) => new(
        Fields.ReadUInt64(ref r, "incoming_circuit.circuit_id"),
        RelayFields.ReadPeer(ref r, "incoming_circuit.source"));
}
