using MessagePack;
using P2PNode.Identity;

namespace P2PNode.Wire.Gossip;

/// <summary>A peer and where to dial it; on the wire [public_key (bin 32), address (str)].</summary>
public sealed record PeerAddress(PeerId Peer, string Address)
{
    internal void Write(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(2);
        GossipFields.WritePeer(ref w, Peer);
        w.Write(Address);
    }

    internal static PeerAddress Read(ref MessagePackReader r, string name)
    {
        var n = Fields.ReadArrayHeader(ref r, 8, name);
        if (n < 2) throw new WireFormatException($"{name} has {n} items, needs 2");
        var entry = new PeerAddress(GossipFields.ReadPeer(ref r, $"{name}.public_key"),
            Fields.ReadString(ref r, WireLimits.MaxAddressLength, $"{name}.address"));
        for (var i = 2; i < n; i++) r.Skip();
        return entry;
    }
}
