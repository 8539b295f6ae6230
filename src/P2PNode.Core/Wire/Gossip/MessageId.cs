using System.Buffers.Binary;

namespace P2PNode.Wire.Gossip;

/// <summary>
/// A gossip message's id: SHA-256 of its signed bytes (docs/overlay.md, "Signed bytes"), so any change to the
/// topic, origin, sequence, timestamp or payload changes the id. Held as four words for cheap hashing.
/// </summary>
public readonly record struct MessageId(ulong A, ulong B, ulong C, ulong D)
{
    public const int Length = 32;

    public static MessageId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length) throw new ArgumentException($"a message id is {Length} bytes, got {bytes.Length}", nameof(bytes));
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

    /// <summary>Lowercase hex of all 32 bytes.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToBytes());
}
