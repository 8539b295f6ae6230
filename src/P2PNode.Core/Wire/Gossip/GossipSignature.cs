using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using P2PNode.Identity;

namespace P2PNode.Wire.Gossip;

/// <summary>
/// The canonical bytes a gossip message is signed over, its id, signing and verification
/// (docs/overlay.md, "Signed bytes"):
/// <code>
/// signed = "p2pnode/gossip/1" || u8 len(topic) || topic || origin_public_key (32)
///          || u64be sequence || u64be timestamp_ms || SHA-256(payload)
/// signature = Ed25519(origin key, signed);   id = SHA-256(signed)
/// </code>
/// Signing the payload's hash, not the payload, keeps the signed bytes short and lets a later version announce
/// large payloads by the same hash.
/// </summary>
public static class GossipSignature
{
    /// <summary>Domain separation: these bytes can never be confused with another signed structure.</summary>
    public static ReadOnlySpan<byte> Domain => "p2pnode/gossip/1"u8;

    /// <summary>Largest possible signed bytes: domain, topic length and topic, key, two u64, hash.</summary>
    public const int MaxSignedLength = 16 + 1 + GossipLimits.MaxTopicLength + 32 + 8 + 8 + 32;

    /// <summary>Writes the signed bytes into <paramref name="destination"/> and returns their length.</summary>
    public static int WriteSignedBytes(string topic, PeerId origin, ulong sequence, ulong timestampMs, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        var topicLength = Encoding.UTF8.GetByteCount(topic);
        if (topicLength is 0 or > GossipLimits.MaxTopicLength)
            throw new ArgumentException($"a topic is 1..{GossipLimits.MaxTopicLength} UTF-8 bytes, got {topicLength}", nameof(topic));
        var at = 0;
        Domain.CopyTo(destination);
        at += Domain.Length;
        destination[at++] = (byte)topicLength;
        at += Encoding.UTF8.GetBytes(topic, destination[at..]);
        origin.PublicKey.Span.CopyTo(destination[at..]);
        at += 32;
        BinaryPrimitives.WriteUInt64BigEndian(destination[at..], sequence);
        at += 8;
        BinaryPrimitives.WriteUInt64BigEndian(destination[at..], timestampMs);
        at += 8;
        SHA256.HashData(payload, destination[at..]);
        return at + 32;
    }

    public static byte[] SignedBytes(GossipMessage m)
    {
        Span<byte> buffer = stackalloc byte[MaxSignedLength];
        var n = WriteSignedBytes(m.Topic, m.Origin, m.Sequence, m.TimestampMs, m.Payload, buffer);
        return buffer[..n].ToArray();
    }

    public static MessageId IdOf(ReadOnlySpan<byte> signedBytes)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(signedBytes, hash);
        return MessageId.FromBytes(hash);
    }

    public static MessageId IdOf(GossipMessage m) => IdOf(SignedBytes(m));

    /// <summary>A new message from <paramref name="origin"/>, signed, with Hops = 1 (ready to send to a neighbour).</summary>
    public static GossipMessage Sign(NodeIdentity origin, string topic, ulong sequence, ulong timestampMs, byte[] payload)
    {
        Span<byte> buffer = stackalloc byte[MaxSignedLength];
        var n = WriteSignedBytes(topic, origin.PeerId, sequence, timestampMs, payload, buffer);
        return new GossipMessage(topic, origin.PeerId, sequence, timestampMs, payload, origin.Sign(buffer[..n]), 1);
    }

    /// <summary><see cref="Sign"/>, and the message's id from the same signed bytes (the payload is hashed once).</summary>
    public static (GossipMessage Message, MessageId Id) SignWithId(NodeIdentity origin, string topic, ulong sequence, ulong timestampMs, byte[] payload)
    {
        Span<byte> buffer = stackalloc byte[MaxSignedLength];
        var n = WriteSignedBytes(topic, origin.PeerId, sequence, timestampMs, payload, buffer);
        return (new GossipMessage(topic, origin.PeerId, sequence, timestampMs, payload, origin.Sign(buffer[..n]), 1), IdOf(buffer[..n]));
    }

    /// <summary>True when the signature is the origin's over the signed bytes; <paramref name="id"/> is set either way.</summary>
    public static bool Verify(GossipMessage m, out MessageId id)
    {
        Span<byte> buffer = stackalloc byte[MaxSignedLength];
        var n = WriteSignedBytes(m.Topic, m.Origin, m.Sequence, m.TimestampMs, m.Payload, buffer);
        id = IdOf(buffer[..n]);
        return NodeIdentity.Verify(m.Origin.PublicKey.Span, buffer[..n], m.Signature);
    }
}
