using System.Security.Cryptography;

namespace P2PNode.Ledger.Merkle;

/// <summary>
/// RFC 6962 hashing: a leaf is SHA-256(0x00 || data), an interior node SHA-256(0x01 || left || right).
/// The distinct prefixes stop a leaf from being passed off as a node (second-preimage attacks).
/// </summary>
public static class MerkleHash
{
    public const int Size = 32;

    /// <summary>Root of the empty tree: SHA-256 of the empty string.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    public static byte[] Leaf(ReadOnlySpan<byte> data)
    {
        var hash = new byte[Size];
        LeafInto(data, hash);
        return hash;
    }

    public static void LeafInto(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData([0x00]);
        h.AppendData(data);
        h.GetHashAndReset(destination);
    }

    /// <summary>Leaf hash of the concatenation a || b, without building the concatenation.</summary>
    public static byte[] LeafOfPair(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData([0x00]);
        h.AppendData(a);
        h.AppendData(b);
        return h.GetHashAndReset();
    }

    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[Size];
        Node(left, right, hash);
        return hash;
    }

    public static void Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        // Hashes are small: one stack buffer and a one-shot hash beat an incremental hasher here.
        Span<byte> buf = stackalloc byte[1 + 2 * Size];
        if (left.Length == Size && right.Length == Size)
        {
            buf[0] = 0x01;
            left.CopyTo(buf[1..]);
            right.CopyTo(buf[(1 + Size)..]);
            SHA256.HashData(buf, destination);
            return;
        }
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData([0x01]);
        h.AppendData(left);
        h.AppendData(right);
        h.GetHashAndReset(destination);
    }

    /// <summary>Largest power of two strictly less than n (n &gt;= 2): RFC 6962's split point k.</summary>
    internal static long SplitPoint(long n)
    {
        var k = 1L;
        while (k << 1 < n) k <<= 1;
        return k;
    }
}
