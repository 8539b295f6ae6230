using MessagePack;
using P2PNode.Identity;

namespace P2PNode.Wire.Relay;

/// <summary>Dialer to relay: open a circuit to <see cref="Target"/>. <see cref="CircuitId"/> is chosen by the
/// dialer (random, unique on this session) and names the circuit on this session from now on. Answered by
/// <see cref="CircuitOpen"/> or <see cref="CircuitClose"/> with the same id.</summary>
public sealed record ConnectRequest(ulong CircuitId, PeerId Target) : WireMessage
{
    public override MessageType Type => MessageType.ConnectRequest;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(CircuitId);
        RelayFields.WritePeer(ref w, Target);
    }

    public static ConnectRequest Read(ref MessagePackReader r) => new(
        Fields.ReadUInt64(ref r, "connect_request.circuit_id"),
        RelayFields.ReadPeer(ref r, "connect_request.target"));
}
