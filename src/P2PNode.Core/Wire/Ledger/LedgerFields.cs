using MessagePack;
using P2PNode.Ledger.Entries;

namespace P2PNode.Wire.Ledger;

/// <summary>Strict readers and writers for the ledger objects inside replication messages. Signed objects
/// travel as their canonical bytes plus signature, so a receiver checks exactly what the author signed.</summary>
internal static class LedgerFields
{
    public static byte[] ReadHash(ref MessagePackReader r, string name) =>
        Fields.ReadBytes(ref r, LedgerLimits.HashLength, name, exact: true);

    public static byte[] ReadKey(ref MessagePackReader r, string name) =>
        Fields.ReadBytes(ref r, LedgerLimits.PublicKeyLength, name, exact: true);

    public static long ReadInt64(ref MessagePackReader r, string name)
    {
        if (r.NextMessagePackType != MessagePackType.Integer) throw new WireFormatException($"{name} must be an integer");
        try { return r.ReadInt64(); }
        catch (OverflowException) { throw new WireFormatException($"{name} out of range for a 64-bit signed integer"); }
    }

    /// <summary>A tree head: [canonical bytes (bin 81), signature (bin 64)].</summary>
    public static SignedTreeHead ReadHead(ref MessagePackReader r, string name)
    {
        var n = Fields.ReadArrayHeader(ref r, 2, name);
        if (n != 2) throw new WireFormatException($"{name} has {n} items, needs 2");
        var bytes = Fields.ReadBytes(ref r, LedgerLimits.TreeHeadBytes, $"{name}.bytes", exact: true);
        var sig = Fields.ReadBytes(ref r, LedgerLimits.SignatureLength, $"{name}.sig", exact: true);
        try { return SignedTreeHead.Decode(bytes, sig); }
        catch (FormatException e) { throw new WireFormatException($"{name}: {e.Message}"); }
    }

    public static void WriteHead(ref MessagePackWriter w, SignedTreeHead head)
    {
        w.WriteArrayHeader(2);
        w.Write(head.Encode());
        w.Write(head.Signature);
    }

    /// <summary>An entry: [canonical bytes (bin, at most MaxEntryBytes), signature (bin 64)]; the bytes must decode.</summary>
    public static SignedEntry ReadEntry(ref MessagePackReader r, string name)
    {
        var n = Fields.ReadArrayHeader(ref r, 2, name);
        if (n != 2) throw new WireFormatException($"{name} has {n} items, needs 2");
        var bytes = Fields.ReadBytes(ref r, LedgerLimits.MaxEntryBytes, $"{name}.bytes");
        var sig = Fields.ReadBytes(ref r, LedgerLimits.SignatureLength, $"{name}.sig", exact: true);
        try { return SignedEntry.FromParts(bytes, sig); }
        catch (FormatException e) { throw new WireFormatException($"{name}: {e.Message}"); }
    }

    public static void WriteEntry(ref MessagePackWriter w, SignedEntry entry)
    {
        w.WriteArrayHeader(2);
        w.Write(entry.Bytes);
        w.Write(entry.Signature);
    }

    /// <summary>A cosignature: [witness (bin 32), time_ms (int), signature (bin 64)].</summary>
    public static Cosignature ReadCosignature(ref MessagePackReader r, string name)
    {
        var n = Fields.ReadArrayHeader(ref r, 3, name);
        if (n != 3) throw new WireFormatException($"{name} has {n} items, needs 3");
        return new Cosignature
        {
            Witness = ReadKey(ref r, $"{name}.witness"),
            TimeMs = ReadInt64(ref r, $"{name}.time_ms"),
            Signature = Fields.ReadBytes(ref r, LedgerLimits.SignatureLength, $"{name}.sig", exact: true),
        };
    }

    public static void WriteCosignature(ref MessagePackWriter w, Cosignature c)
    {
        w.WriteArrayHeader(3);
        w.Write(c.Witness);
        w.Write(c.TimeMs);
        w.Write(c.Signature);
    }

    public static IReadOnlyList<byte[]> ReadHashes(ref MessagePackReader r, string name)
    {
        var n = Fields.ReadArrayHeader(ref r, LedgerLimits.MaxProofHashes, name);
        var list = new byte[n][];
        for (var i = 0; i < n; i++) list[i] = ReadHash(ref r, $"{name}[{i}]");
        return list;
    }

    public static void WriteHashes(ref MessagePackWriter w, IReadOnlyList<byte[]> hashes)
    {
        w.WriteArrayHeader(hashes.Count);
        foreach (var h in hashes) w.Write(h);
    }

    /// <summary>Messages hold byte arrays and signed objects: two messages are equal when they encode to the same bytes.</summary>
    public static bool SameBytes(WireMessage a, WireMessage? b) =>
        b is not null && WireCodec.Encode(a).AsSpan().SequenceEqual(WireCodec.Encode(b));
}
