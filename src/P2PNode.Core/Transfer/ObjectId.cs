using System.Buffers.Binary;

namespace P2PNode.Transfer;

/// <summary>
/// A content-addressed object's id: SHA-256 of its canonical manifest bytes (docs/transfer.md, section 2).
/// The manifest names every chunk's hash, so the id commits to every byte of the object. Held as four words
/// so it hashes cheaply as a dictionary key.
/// </summary>
public readonly record struct ObjectId(ulong A, ulong B, ulong C, ulong D)
{
    public const int Length = 32;

    public static ObjectId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length) throw new ArgumentException($"an object id is {Length} bytes, got {bytes.Length}", nameof(bytes));
        return new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    public static ObjectId Parse(string hex) => FromBytes(Convert.FromHexString(hex));

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

    /// <summary>Lowercase hex of all 32 bytes (also the object's directory name in a DirectoryChunkStore).</summary>
    public override string ToString() => Convert.ToHexStringLower(ToBytes());
}
