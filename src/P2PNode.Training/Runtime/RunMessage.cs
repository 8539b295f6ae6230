using System.Buffers.Binary;
using System.Security.Cryptography;
using P2PNode.Hashing;
using P2PNode.Ledger.Entries;
using P2PNode.Transfer;

namespace P2PNode.Training.Runtime;

/// <summary>
/// The payloads a training node broadcasts on its run's gossip topic (docs/protocol.md, "Training messages").
/// All integers big-endian. Every message starts with u8 version (1) and u8 kind:
/// <list type="bullet">
/// <item>kind 1, Contribution: u32 entry length, the author's signed Contribution ledger entry (canonical bytes),
/// its 64-byte signature, then the encoded delta (the rest). The entry commits to the delta by SHA-256 and size.</item>
/// <item>kind 2, Status: u64 round the node is in, 32-byte hash of its current shared model, 32-byte object id under
/// which it serves that model (zeros: not served), u16 n, n float32 sketch values (a fixed random projection of
/// the model, for consensus distance), then optionally the 32-byte object id under which it serves its outer
/// optimizer state (zeros: not served); a status without it (the older layout) is still valid.</item>
/// <item>kind 3, Judgements: u64 round, u16 n, then n times (u32 entry length, the sender's signed Attestation ledger
/// entry, its 64-byte signature): everything the sender judged of that round, in one message (n = 0: it judged
/// nothing, which tells the others not to wait for it).</item>
/// </list>
/// </summary>
public static class RunMessage
{
    public const byte Version = 1;
    public const byte ContributionKind = 1;
    public const byte StatusKind = 2;
    public const byte JudgementsKind = 3;
    /// <summary>Most attestations one Judgements message carries (a round's contributions, one per author).</summary>
    public const int MaxJudgements = 1024;
    public const int MaxSketch = 64;

    public static byte[] EncodeContribution(SignedEntry entry, ReadOnlySpan<byte> delta)
    {
        var bytes = new byte[2 + 4 + entry.Bytes.Length + entry.Signature.Length + delta.Length];
        bytes[0] = Version;
        bytes[1] = ContributionKind;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), (uint)entry.Bytes.Length);
        entry.Bytes.CopyTo(bytes, 6);
        entry.Signature.CopyTo(bytes, 6 + entry.Bytes.Length);
        delta.CopyTo(bytes.AsSpan(6 + entry.Bytes.Length + entry.Signature.Length));
        return bytes;
    }

    private const int StatusHeader = 2 + 8 + 32 + 32 + 2;

    /// <summary>A status of a node that serves no model object (object id all zeros), for a 32-byte model hash.</summary>
    public static byte[] EncodeStatus(ulong round, byte[] modelHash, ReadOnlySpan<float> sketch) =>
        EncodeStatus(new RunStatus(round, Digest256.FromBytes(modelHash, "a model hash"), default, sketch.ToArray()));

    public static byte[] EncodeStatus(RunStatus status)
    {
        if (status.Sketch.Length > MaxSketch) throw new ArgumentException($"sketch has at most {MaxSketch} values", nameof(status));
        var sketchEnd = StatusHeader + 4 * status.Sketch.Length;
        var bytes = new byte[sketchEnd + (status.MomentumId is null ? 0 : 32)];
        bytes[0] = Version;
        bytes[1] = StatusKind;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(2), status.Round);
        status.ModelHash.WriteTo(bytes.AsSpan(10));
        status.ObjectId.WriteTo(bytes.AsSpan(42));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(74), (ushort)status.Sketch.Length);
        for (var i = 0; i < status.Sketch.Length; i++) BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(StatusHeader + 4 * i), status.Sketch[i]);
        status.MomentumId?.WriteTo(bytes.AsSpan(sketchEnd));
        return bytes;
    }

    /// <summary>The kind byte after checking the version; throws <see cref="InvalidDataException"/> otherwise.</summary>
    public static byte KindOf(ReadOnlySpan<byte> message)
    {
        if (message.Length < 2) throw new InvalidDataException($"training message of {message.Length} bytes is shorter than its header");
        if (message[0] != Version) throw new InvalidDataException($"training message version {message[0]} is not supported (expected {Version})");
        return message[1];
    }

    /// <summary>
    /// Parses a Contribution and checks everything that needs no state: the entry parses, is a Contribution, its
    /// signature verifies, and the delta matches the entry's payload hash and size. Throws
    /// <see cref="InvalidDataException"/> with the reason otherwise.
    /// </summary>
    /// <remarks>The delta is a slice of <paramref name="message"/>, not a copy.</remarks>
    public static (SignedEntry Entry, ContributionBody Body, ArraySegment<byte> Delta) DecodeContribution(byte[] message)
    {
        if (KindOf(message) != ContributionKind) throw new InvalidDataException("not a contribution message");
        if (message.Length < 6) throw new InvalidDataException("contribution message truncated before the entry length");
        var length = BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(2));
        if (length > message.Length - 6 - LedgerSignatures.SignatureSize)
            throw new InvalidDataException($"contribution entry length {length} exceeds the message ({message.Length} bytes)");
        var entryBytes = message.AsSpan(6, (int)length).ToArray();
        var signature = message.AsSpan(6 + (int)length, LedgerSignatures.SignatureSize).ToArray();
        SignedEntry entry;
        try { entry = SignedEntry.FromParts(entryBytes, signature); }
        catch (FormatException e) { throw new InvalidDataException($"contribution entry is malformed: {e.Message}"); }
        if (entry.Entry.Body is not ContributionBody body) throw new InvalidDataException($"entry is a {EntryKinds.Name(entry.Kind)}, not a contribution");
        if (!entry.VerifySignature()) throw new InvalidDataException("contribution entry signature does not verify");
        var start = 6 + (int)length + LedgerSignatures.SignatureSize;
        var delta = new ArraySegment<byte>(message, start, message.Length - start);
        if ((ulong)delta.Count != body.PayloadSize) throw new InvalidDataException($"delta is {delta.Count} bytes, the entry says {body.PayloadSize}");
        if (!SHA256.HashData(delta).AsSpan().SequenceEqual(body.PayloadHash)) throw new InvalidDataException("delta does not match the entry's payload hash");
        return (entry, body, delta);
    }

    public static RunStatus DecodeStatus(ReadOnlySpan<byte> message)
    {
        if (KindOf(message) != StatusKind) throw new InvalidDataException("not a status message");
        if (message.Length < StatusHeader) throw new InvalidDataException($"status message of {message.Length} bytes is truncated");
        var n = BinaryPrimitives.ReadUInt16BigEndian(message[74..]);
        if (n > MaxSketch) throw new InvalidDataException($"status sketch of {n} values exceeds {MaxSketch}");
        // Two layouts: without the momentum object (older nodes) or with it, 32 bytes after the sketch.
        var sketchEnd = StatusHeader + 4 * n;
        if (message.Length != sketchEnd && message.Length != sketchEnd + 32)
            throw new InvalidDataException($"status message is {message.Length} bytes, expected {sketchEnd} or {sketchEnd + 32}");
        var sketch = new float[n];
        for (var i = 0; i < n; i++)
        {
            sketch[i] = BinaryPrimitives.ReadSingleBigEndian(message[(StatusHeader + 4 * i)..]);
            if (!float.IsFinite(sketch[i])) throw new InvalidDataException("status sketch holds a non-finite value");
        }
        ObjectId? momentum = message.Length == sketchEnd ? null : ObjectId.FromBytes(message.Slice(sketchEnd, 32));
        return new RunStatus(BinaryPrimitives.ReadUInt64BigEndian(message[2..]), Digest256.FromBytes(message.Slice(10, 32), "a model hash"), ObjectId.FromBytes(message.Slice(42, 32)), sketch, momentum);
    }

    public static byte[] EncodeJudgements(ulong round, IReadOnlyList<SignedEntry> attestations)
    {
        if (attestations.Count > MaxJudgements) throw new ArgumentException($"at most {MaxJudgements} attestations per message", nameof(attestations));
        var bytes = new byte[12 + attestations.Sum(e => 4 + e.Bytes.Length + e.Signature.Length)];
        bytes[0] = Version;
        bytes[1] = JudgementsKind;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(2), round);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(10), (ushort)attestations.Count);
        var at = 12;
        foreach (var e in attestations)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)e.Bytes.Length);
            e.Bytes.CopyTo(bytes, at + 4);
            e.Signature.CopyTo(bytes, at + 4 + e.Bytes.Length);
            at += 4 + e.Bytes.Length + e.Signature.Length;
        }
        return bytes;
    }

    /// <summary>Parses a Judgements message and checks what needs no state: every entry parses, is an Attestation of the
    /// message's round and its signature verifies; nothing follows the last one. Throws <see cref="InvalidDataException"/>
    /// otherwise. The author and run are checked by the receiver (it knows the origin and its run).</summary>
    public static (ulong Round, IReadOnlyList<(SignedEntry Entry, AttestationBody Body)> Attestations) DecodeJudgements(ReadOnlySpan<byte> message)
    {
        if (KindOf(message) != JudgementsKind) throw new InvalidDataException("not a judgements message");
        if (message.Length < 12) throw new InvalidDataException($"judgements message of {message.Length} bytes is truncated");
        var round = BinaryPrimitives.ReadUInt64BigEndian(message[2..]);
        var n = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (n > MaxJudgements) throw new InvalidDataException($"judgements message holds {n} attestations, over {MaxJudgements}");
        var items = new List<(SignedEntry, AttestationBody)>(n);
        var at = 12;
        for (var i = 0; i < n; i++)
        {
            if (message.Length - at < 4) throw new InvalidDataException($"judgements message truncated before attestation {i}");
            var length = BinaryPrimitives.ReadUInt32BigEndian(message[at..]);
            if (length > message.Length - at - 4 - LedgerSignatures.SignatureSize)
                throw new InvalidDataException($"attestation {i} length {length} exceeds the message ({message.Length} bytes)");
            SignedEntry entry;
            try { entry = SignedEntry.FromParts(message.Slice(at + 4, (int)length).ToArray(), message.Slice(at + 4 + (int)length, LedgerSignatures.SignatureSize).ToArray()); }
            catch (FormatException e) { throw new InvalidDataException($"attestation {i} is malformed: {e.Message}"); }
            if (entry.Entry.Body is not AttestationBody body) throw new InvalidDataException($"entry {i} is a {EntryKinds.Name(entry.Kind)}, not an attestation");
            if (body.Round != round) throw new InvalidDataException($"attestation {i} is of round {body.Round}, the message of round {round}");
            if (!entry.VerifySignature()) throw new InvalidDataException($"attestation {i} signature does not verify");
            items.Add((entry, body));
            at += 4 + (int)length + LedgerSignatures.SignatureSize;
        }
        if (at != message.Length) throw new InvalidDataException($"judgements message has {message.Length - at} bytes after its last attestation");
        return (round, items);
    }
}
