using MessagePack;

namespace P2PNode.Wire.Gossip;

/// <summary>Plumtree GRAFT: "send me these messages, and push eagerly to me from now on". An empty id list only
/// grafts the link (used to replace a longer tree path by a shorter one).</summary>
public sealed record Graft(IReadOnlyList<MessageId> Ids) : WireMessage
{
    public override MessageType Type => MessageType.Graft;
    public override int FieldCount => 1;
    public override void WriteFields(ref MessagePackWriter w) => GossipFields.WriteIds(ref w, Ids);
    public static Graft Read(ref MessagePackReader r) => new(GossipFields.ReadIds(ref r, "graft.ids"));
    public bool Equals(Graft? other) => other is not null && Ids.SequenceEqual(other.Ids);
    public override int GetHashCode() => Ids.Count;
}
