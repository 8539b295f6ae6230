using System.Buffers;
using MessagePack;
using P2PNode.Identity;

namespace P2PNode.Transport;

/// <summary>
/// The Noise handshake payload that binds a Noise static key to a node's Ed25519 identity:
/// MessagePack array [identity_public_key (bin 32), signature (bin 64)], where the signature is Ed25519 over
/// "p2pnode-noise-static-key:" || the sender's 32-byte X25519 static public key (docs/protocol.md).
/// </summary>
public static class IdentityProof
{
    public static ReadOnlySpan<byte> Context => "p2pnode-noise-static-key:"u8;

    public static byte[] Create(NodeIdentity identity, ReadOnlySpan<byte> noiseStaticPublic)
    {
        var signature = identity.Sign(SignedBytes(noiseStaticPublic));
        var buffer = new ArrayBufferWriter<byte>(110);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(2);
        w.Write(identity.PublicKey);
        w.Write(signature);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Checks the proof against the static key the handshake authenticated; returns the proven peer id.</summary>
    public static PeerId Verify(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> noiseStaticPublic)
    {
        byte[] identityKey, signature;
        try
        {
            var r = new MessagePackReader(payload.ToArray());
            if (r.ReadArrayHeader() != 2) throw new TransportException(TransportError.BadIdentityProof, "identity proof must be a 2-element array");
            identityKey = ReadBin(ref r, "identity key");
            signature = ReadBin(ref r, "signature");
            if (!r.End) throw new TransportException(TransportError.BadIdentityProof, "trailing bytes after the identity proof");
        }
        catch (MessagePackSerializationException e)
        {
            throw new TransportException(TransportError.BadIdentityProof, "identity proof is not valid MessagePack", e);
        }
        catch (EndOfStreamException e)
        {
            throw new TransportException(TransportError.BadIdentityProof, "identity proof is truncated", e);
        }
        if (identityKey.Length != 32 || signature.Length != 64)
            throw new TransportException(TransportError.BadIdentityProof, $"identity proof has a {identityKey.Length}-byte key and a {signature.Length}-byte signature; expected 32 and 64");
        if (!NodeIdentity.Verify(identityKey, SignedBytes(noiseStaticPublic), signature))
            throw new TransportException(TransportError.BadIdentityProof, "identity signature does not verify over the Noise static key");
        return PeerId.FromPublicKey(identityKey);
    }

    // Strict on signed material: MessagePack's reader would also hand out a str's bytes, but the spec says bin,
    // and accepting two encodings of one proof invites implementations that disagree on what was signed.
    private static byte[] ReadBin(ref MessagePackReader r, string what) =>
        r.NextMessagePackType == MessagePackType.Binary
            ? r.ReadBytes()?.ToArray() ?? []
            : throw new TransportException(TransportError.BadIdentityProof, $"identity proof's {what} must be MessagePack bin, not {r.NextMessagePackType}");

    private static byte[] SignedBytes(ReadOnlySpan<byte> noiseStaticPublic) => [.. Context, .. noiseStaticPublic];
}
