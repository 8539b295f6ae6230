using System.Buffers.Binary;
using System.Text;

namespace P2PNode.Ledger.Entries;

/// <summary>Reads <see cref="CanonicalWriter"/> output strictly: truncation, oversized lengths, invalid
/// UTF-8, non-finite floats and trailing bytes are all <see cref="FormatException"/>s that say where.</summary>
public ref struct CanonicalReader(ReadOnlySpan<byte> data)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly int Position => _pos;

    private ReadOnlySpan<byte> Take(int n, string what)
    {
        if (n < 0 || _data.Length - _pos < n) throw new FormatException($"truncated at byte {_pos}: {what} needs {n} bytes, {_data.Length - _pos} left");
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }

    public byte U8(string what) => Take(1, what)[0];

    public uint U32(string what) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, what));

    public ulong U64(string what) => BinaryPrimitives.ReadUInt64BigEndian(Take(8, what));

    public long I64(string what) => BinaryPrimitives.ReadInt64BigEndian(Take(8, what));

    public double F64(string what)
    {
        var at = _pos;
        var v = BinaryPrimitives.ReadDoubleBigEndian(Take(8, what));
        return double.IsFinite(v) ? v : throw new FormatException($"{what} at byte {at} is not a finite number");
    }

    public byte[] Hash(string what) => Take(32, what).ToArray();

    public string Str(string what)
    {
        var at = _pos;
        var n = U32(what + " length");
        if (n > CanonicalWriter.MaxStringBytes) throw new FormatException($"{what} at byte {at} claims {n} bytes (max {CanonicalWriter.MaxStringBytes})");
        try { return StrictUtf8.GetString(Take((int)n, what)); }
        catch (DecoderFallbackException) { throw new FormatException($"{what} at byte {at} is not valid UTF-8"); }
    }

    public int Count(string what)
    {
        var at = _pos;
        var n = U32(what + " count");
        if (n > CanonicalWriter.MaxListCount) throw new FormatException($"{what} at byte {at} claims {n} items (max {CanonicalWriter.MaxListCount})");
        return (int)n;
    }

    public readonly void End(string what)
    {
        if (_pos != _data.Length) throw new FormatException($"{_data.Length - _pos} trailing bytes after {what}");
    }
}
