using MessagePack;

namespace P2PNode.Wire.Gossip;

/// <summary>Answer to <see cref="Shuffle"/>, sent to its origin: a sample of the answering node's passive view.</summary>
public sealed record ShuffleReply(IReadOnlyList<PeerAddress> Entries) : WireMessage
{
    public override MessageType Type => MessageType.ShuffleReply;
    public override int FieldCount => 1;
    public override void WriteFields(ref MessagePackWriter w) => GossipFields.WritePeers(ref w, Entries);
    public static ShuffleReply Read(ref MessagePackReader r) => new(GossipFields.ReadPeers(ref r, "shuffle_reply.entries"));
    public bool Equals(ShuffleReply? other) => other is not null && Entries.SequenceEqual(other.Entries);
    public override int GetHashCode() => Entries.Count;
}
