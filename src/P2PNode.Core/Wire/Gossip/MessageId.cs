using P2PNode.Hashing;

namespace P2PNode.Wire.Gossip;

/// <summary>
/// A gossip message's id: SHA-256 of its signed bytes (docs/overlay.md, "Signed bytes"), so any change to the
/// topic, origin, sequence, timestamp or payload changes the id. Held as four words for cheap hashing.
/// </summary>
public readonly record struct MessageId(ulong A, ulong B, ulong C, ulong D)
{
    public const int Length = Digest256.Length;

    public static MessageId FromBytes(ReadOnlySpan<byte> bytes)
    {
        var d = Digest256.FromBytes(bytes, "a message id");
        return new(d.A, d.B, d.C, d.D);
    }

    public void WriteTo(Span<byte> destination) => Digest.WriteTo(destination);

    public byte[] ToBytes() => Digest.ToBytes();

    /// <summary>Lowercase hex of all 32 bytes.</summary>
    public override string ToString() => Digest.ToString();

    private Digest256 Digest => new(A, B, C, D);
}
