using MessagePack;
using P2PNode.Identity;

namespace P2PNode.Wire.Gossip;

/// <summary>HyParView SHUFFLE: a random walk carrying a sample of the origin's views. The node where it ends
/// answers the origin with a <see cref="ShuffleReply"/> of the same size from its passive view, and both add
/// what they received to their passive views, which keeps passive views fresh and mixed.</summary>
public sealed record Shuffle(PeerId Origin, string OriginAddress, uint Ttl, IReadOnlyList<PeerAddress> Entries) : WireMessage
{
    public override MessageType Type => MessageType.Shuffle;
    public override int FieldCount => 4;

    public override void WriteFields(ref MessagePackWriter w)
    {
        GossipFields.WritePeer(ref w, Origin);
        w.Write(OriginAddress);
        w.Write(Ttl);
        GossipFields.WritePeers(ref w, Entries);
    }

    public static Shuffle Read(ref MessagePackReader r) => new(
        GossipFields.ReadPeer(ref r, "shuffle.origin"),
        Fields.ReadString(ref r, WireLimits.MaxAddressLength, "shuffle.origin_address"),
        GossipFields.ReadTtl(ref r, "shuffle.ttl"),
        GossipFields.ReadPeers(ref r, "shuffle.entries"));

    public bool Equals(Shuffle? other) => other is not null && Origin == other.Origin && OriginAddress == other.OriginAddress &&
        Ttl == other.Ttl && Entries.SequenceEqual(other.Entries);

    public override int GetHashCode() => HashCode.Combine(Origin, Ttl, Entries.Count);
}
