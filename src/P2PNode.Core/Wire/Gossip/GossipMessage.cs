using MessagePack;
using P2PNode.Identity;

namespace P2PNode.Wire.Gossip;

/// <summary>
/// A broadcast message, signed by its origin over the signed bytes defined in <see cref="GossipSignature"/>.
/// <see cref="Hops"/> is the number of links the copy has crossed (the origin sends 1); it is not signed, since
/// every relay changes it, and only steers tree repair and metrics.
/// </summary>
public sealed record GossipMessage(string Topic, PeerId Origin, ulong Sequence, ulong TimestampMs, byte[] Payload, byte[] Signature, uint Hops)
    : WireMessage
{
    public override MessageType Type => MessageType.Gossip;
    public override int FieldCount => 7;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(Topic);
        GossipFields.WritePeer(ref w, Origin);
        w.Write(Sequence);
        w.Write(TimestampMs);
        w.Write(Payload);
        w.Write(Signature);
        w.Write(Hops);
    }

    public static GossipMessage Read(ref MessagePackReader r) => new(
        GossipFields.ReadTopic(ref r, "gossip.topic"),
        GossipFields.ReadPeer(ref r, "gossip.origin"),
        Fields.ReadUInt64(ref r, "gossip.sequence"),
        Fields.ReadUInt64(ref r, "gossip.timestamp_ms"),
        Fields.ReadBytes(ref r, GossipLimits.MaxPayloadLength, "gossip.payload"),
        Fields.ReadBytes(ref r, GossipLimits.SignatureLength, "gossip.signature", exact: true),
        Fields.ReadUInt(ref r, "gossip.hops"));

    public bool Equals(GossipMessage? other) => other is not null && Topic == other.Topic && Origin == other.Origin &&
        Sequence == other.Sequence && TimestampMs == other.TimestampMs && Hops == other.Hops &&
        Payload.AsSpan().SequenceEqual(other.Payload) && Signature.AsSpan().SequenceEqual(other.Signature);

    public override int GetHashCode() => HashCode.Combine(Topic, Origin, Sequence, Hops);
}
