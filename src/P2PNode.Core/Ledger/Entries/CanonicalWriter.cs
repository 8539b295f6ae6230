using System.Buffers.Binary;
using System.Text;

namespace P2PNode.Ledger.Entries;

/// <summary>
/// Writes the ledger's canonical binary: fixed-width big-endian integers, IEEE-754 binary64 floats (finite
/// only), u32-length-prefixed UTF-8 strings and lists. There is exactly one encoding of every value, so
/// the bytes that are signed can be rebuilt by anyone from docs/ledger.md without a serialization library.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "a MemoryStream holds no resource to release")]
public sealed class CanonicalWriter
{
    /// <summary>Longest string the format accepts (bytes of UTF-8); readers enforce the same cap.</summary>
    public const int MaxStringBytes = 64 * 1024;

    /// <summary>Most items in one list; readers enforce the same cap before allocating.</summary>
    public const int MaxListCount = 1 << 20;

    private readonly MemoryStream _out = new();

    public byte[] ToArray() => _out.ToArray();

    public void U8(byte v) => _out.WriteByte(v);

    public void U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); _out.Write(b); }

    public void U64(ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64BigEndian(b, v); _out.Write(b); }

    public void I64(long v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteInt64BigEndian(b, v); _out.Write(b); }

    public void F64(double v)
    {
        if (!double.IsFinite(v)) throw new ArgumentException($"ledger floats must be finite, got {v}", nameof(v));
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, v);
        _out.Write(b);
    }

    public void Hash(ReadOnlySpan<byte> h)
    {
        if (h.Length != 32) throw new ArgumentException($"a hash is 32 bytes, got {h.Length}", nameof(h));
        _out.Write(h);
    }

    public void Str(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        if (bytes.Length > MaxStringBytes) throw new ArgumentException($"string of {bytes.Length} bytes exceeds {MaxStringBytes}", nameof(s));
        U32((uint)bytes.Length);
        _out.Write(bytes);
    }

    public void List<T>(IReadOnlyList<T> items, Action<CanonicalWriter, T> write)
    {
        if (items.Count > MaxListCount) throw new ArgumentException($"list of {items.Count} items exceeds {MaxListCount}", nameof(items));
        U32((uint)items.Count);
        foreach (var item in items) write(this, item);
    }
}
