using MessagePack;

namespace P2PNode.Wire.Gossip;

/// <summary>Plumtree PRUNE: "I received that message twice; announce lazily to me from now on" (the link leaves
/// the broadcast tree but stays in the active view). No fields.</summary>
public sealed record Prune : WireMessage
{
    public override MessageType Type => MessageType.Prune;
    public override int FieldCount => 0;
    public override void WriteFields(ref MessagePackWriter w) { }
    public static Prune Read(ref MessagePackReader r) => new();
}
