using MessagePack;
using P2PNode.Identity;

namespace P2PNode.Wire.Gossip;

/// <summary>Strict readers for the field shapes gossip messages add to <see cref="Fields"/>: booleans,
/// 32-byte public keys (as <see cref="PeerId"/>), message ids, topics and peer entries.</summary>
internal static class GossipFields
{
    public static bool ReadBool(ref MessagePackReader r, string name)
    {
        if (r.NextMessagePackType != MessagePackType.Boolean) throw new WireFormatException($"{name} must be a boolean");
        return r.ReadBoolean();
    }

    public static PeerId ReadPeer(ref MessagePackReader r, string name) =>
        PeerId.FromPublicKey(Fields.ReadBytes(ref r, GossipLimits.PublicKeyLength, name, exact: true));

    public static void WritePeer(ref MessagePackWriter w, PeerId peer) => w.Write(peer.PublicKey.Span);

    public static MessageId ReadId(ref MessagePackReader r, string name) =>
        MessageId.FromBytes(Fields.ReadBytes(ref r, MessageId.Length, name, exact: true));

    public static string ReadTopic(ref MessagePackReader r, string name)
    {
        var topic = Fields.ReadString(ref r, GossipLimits.MaxTopicLength, name);
        if (topic.Length == 0) throw new WireFormatException($"{name} is empty");
        return topic;
    }

    public static uint ReadTtl(ref MessagePackReader r, string name)
    {
        var ttl = Fields.ReadUInt(ref r, name);
        if (ttl > GossipLimits.MaxWalkTtl) throw new WireFormatException($"{name} is {ttl}, limit {GossipLimits.MaxWalkTtl}");
        return ttl;
    }

    public static IReadOnlyList<PeerAddress> ReadPeers(ref MessagePackReader r, string name)
    {
        var n = Fields.ReadArrayHeader(ref r, GossipLimits.MaxShuffleEntries, name);
        var list = new PeerAddress[n];
        for (var i = 0; i < n; i++) list[i] = PeerAddress.Read(ref r, $"{name}[{i}]");
        return list;
    }

    public static void WritePeers(ref MessagePackWriter w, IReadOnlyList<PeerAddress> peers)
    {
        w.WriteArrayHeader(peers.Count);
        foreach (var p in peers) p.Write(ref w);
    }

    public static IReadOnlyList<MessageId> ReadIds(ref MessagePackReader r, string name)
    {
        var n = Fields.ReadArrayHeader(ref r, GossipLimits.MaxAnnouncedIds, name);
        var list = new MessageId[n];
        for (var i = 0; i < n; i++) list[i] = ReadId(ref r, $"{name}[{i}]");
        return list;
    }

    public static void WriteIds(ref MessagePackWriter w, IReadOnlyList<MessageId> ids)
    {
        w.WriteArrayHeader(ids.Count);
        var buffer = new byte[MessageId.Length];
        foreach (var id in ids)
        {
            id.WriteTo(buffer);
            w.Write(buffer);
        }
    }
}
