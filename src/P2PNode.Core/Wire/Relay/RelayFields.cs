using MessagePack;
using P2PNode.Identity;

namespace P2PNode.Wire.Relay;

/// <summary>Field shapes the relay messages add to <see cref="Fields"/>: peers as 32-byte public keys, status codes.</summary>
internal static class RelayFields
{
    public static PeerId ReadPeer(ref MessagePackReader r, string name) =>
        PeerId.FromPublicKey(Fields.ReadBytes(ref r, RelayWireLimits.PublicKeyLength, name, exact: true));

    public static void WritePeer(ref MessagePackWriter w, PeerId peer) => w.Write(peer.PublicKey.Span);

    /// <summary>A status code; unknown values are kept (a later minor version may add codes) but never Normal.</summary>
    public static RelayStatus ReadStatus(ref MessagePackReader r, string name) => (RelayStatus)Fields.ReadUInt(ref r, name);
}
