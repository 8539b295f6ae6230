using MessagePack;

namespace P2PNode.Wire.Gossip;

/// <summary>HyParView DISCONNECT: "I am dropping you from my active view, but I am alive": the receiver moves
/// the sender to its passive view (a connection that just closes means the peer failed). No fields.</summary>
public sealed record Detach : WireMessage
{
    public override MessageType Type => MessageType.Detach;
    public override int FieldCount => 0;
    public override void WriteFields(ref MessagePackWriter w) { }
    public static Detach Read(ref MessagePackReader r) => new();
}
