using P2PNode.Hashing;

namespace P2PNode.Transfer;

/// <summary>
/// A content-addressed object's id: SHA-256 of its canonical manifest bytes (docs/transfer.md, section 2).
/// The manifest names every chunk's hash, so the id commits to every byte of the object. Held as four words
/// so it hashes cheaply as a dictionary key; ordered as its bytes are (<see cref="Digest256"/>).
/// </summary>
public readonly record struct ObjectId(ulong A, ulong B, ulong C, ulong D) : IComparable<ObjectId>
{
    public const int Length = Digest256.Length;

    public static ObjectId FromBytes(ReadOnlySpan<byte> bytes)
    {
        var d = Digest256.FromBytes(bytes, "an object id");
        return new(d.A, d.B, d.C, d.D);
    }

    public static ObjectId Parse(string hex) => FromBytes(Convert.FromHexString(hex));

    public void WriteTo(Span<byte> destination) => Digest.WriteTo(destination);

    public byte[] ToBytes() => Digest.ToBytes();

    /// <summary>Lowercase hex of all 32 bytes.</summary>
    public override string ToString() => Digest.ToString();

    public int CompareTo(ObjectId other) => Digest.CompareTo(other.Digest);
    public static bool operator <(ObjectId a, ObjectId b) => a.CompareTo(b) < 0;
    public static bool operator <=(ObjectId a, ObjectId b) => a.CompareTo(b) <= 0;
    public static bool operator >(ObjectId a, ObjectId b) => a.CompareTo(b) > 0;
    public static bool operator >=(ObjectId a, ObjectId b) => a.CompareTo(b) >= 0;

    private Digest256 Digest => new(A, B, C, D);
}
