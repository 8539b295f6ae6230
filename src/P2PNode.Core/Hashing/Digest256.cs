using System.Buffers.Binary;

namespace P2PNode.Hashing;

/// <summary>
/// A SHA-256 value held as four big-endian words, so ids built on it (gossip message ids, object ids) hash
/// and compare cheaply as dictionary keys. The typed ids wrap it so that one kind cannot be passed as another.
/// Ordered as its bytes are (big-endian words), i.e. as its lowercase hex text sorts ordinally: rules that break
/// ties by "the smallest hash" give the same answer on either form.
/// </summary>
public readonly record struct Digest256(ulong A, ulong B, ulong C, ulong D) : IComparable<Digest256>
{
    public const int Length = 32;

    public static Digest256 FromBytes(ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length != Length) throw new ArgumentException($"{what} is {Length} bytes, got {bytes.Length}", nameof(bytes));
        return new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, A);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], D);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public override string ToString() => Convert.ToHexStringLower(ToBytes());

    public int CompareTo(Digest256 other) => (A, B, C, D).CompareTo((other.A, other.B, other.C, other.D));
    public static bool operator <(Digest256 a, Digest256 b) => a.CompareTo(b) < 0;
    public static bool operator <=(Digest256 a, Digest256 b) => a.CompareTo(b) <= 0;
    public static bool operator >(Digest256 a, Digest256 b) => a.CompareTo(b) > 0;
    public static bool operator >=(Digest256 a, Digest256 b) => a.CompareTo(b) >= 0;
}
