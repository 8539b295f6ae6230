using System.Buffers;
using MessagePack;

namespace P2PNode.Wire;

/// <summary>
/// Bounded, strict readers and writers for message fields, shared by every protocol's messages. Each read
/// checks the MessagePack type and the size limit and throws <see cref="WireFormatException"/> naming the field.
/// </summary>
public static class Fields
{
    private static readonly System.Text.UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static uint ReadUInt(ref MessagePackReader r, string name)
    {
        if (r.NextMessagePackType != MessagePackType.Integer) throw new WireFormatException($"{name} must be an unsigned integer");
        try { return r.ReadUInt32(); }
        catch (OverflowException) { throw new WireFormatException($"{name} out of range for a 32-bit unsigned integer"); }
    }

    public static ulong ReadUInt64(ref MessagePackReader r, string name)
    {
        if (r.NextMessagePackType != MessagePackType.Integer) throw new WireFormatException($"{name} must be an unsigned integer");
        try { return r.ReadUInt64(); }
        catch (OverflowException) { throw new WireFormatException($"{name} must be an unsigned integer"); }
    }

    public static string ReadString(ref MessagePackReader r, int maxBytes, string name)
    {
        if (r.NextMessagePackType != MessagePackType.String) throw new WireFormatException($"{name} must be a string");
        var bytes = r.ReadStringSequence() ?? throw new WireFormatException($"{name} must be a string");
        if (bytes.Length > maxBytes) throw new WireFormatException($"{name} is {bytes.Length} bytes, limit {maxBytes}");
        try { return Strict.GetString(bytes.ToArray()); }
        catch (System.Text.DecoderFallbackException) { throw new WireFormatException($"{name} is not valid UTF-8"); }
    }

    /// <summary>A binary field of at most <paramref name="maxBytes"/> (exactly, when <paramref name="exact"/>).</summary>
    public static byte[] ReadBytes(ref MessagePackReader r, int maxBytes, string name, bool exact = false)
    {
        if (r.NextMessagePackType != MessagePackType.Binary) throw new WireFormatException($"{name} must be binary");
        var bytes = r.ReadBytes() ?? throw new WireFormatException($"{name} must be binary");
        if (bytes.Length > maxBytes || (exact && bytes.Length != maxBytes))
            throw new WireFormatException($"{name} is {bytes.Length} bytes, {(exact ? "must be" : "limit")} {maxBytes}");
        return bytes.ToArray();
    }

    public static IReadOnlyList<string> ReadStrings(ref MessagePackReader r, int maxCount, int maxBytes, string name)
    {
        var n = ReadArrayHeader(ref r, maxCount, name);
        var list = new string[n];
        for (var i = 0; i < n; i++) list[i] = ReadString(ref r, maxBytes, $"{name}[{i}]");
        return list;
    }

    public static int ReadArrayHeader(ref MessagePackReader r, int maxCount, string name)
    {
        if (r.NextMessagePackType != MessagePackType.Array) throw new WireFormatException($"{name} must be an array");
        var n = r.ReadArrayHeader();
        if (n > maxCount) throw new WireFormatException($"{name} has {n} items, limit {maxCount}");
        return n;
    }

    public static void WriteStrings(ref MessagePackWriter w, IReadOnlyList<string> items)
    {
        w.WriteArrayHeader(items.Count);
        foreach (var s in items) w.Write(s);
    }
}
