namespace P2PNode.Ledger.Merkle;

/// <summary>
/// RFC 9162 section 2.1.3.2 and 2.1.4.2 proof verification, with the edge cases of transparency-dev/merkle:
/// every hash must be 32 bytes, consistency from size 0 always fails, equal sizes verify only with an empty
/// proof and equal roots. Nothing here throws on hostile input; it answers false.
/// </summary>
public static class MerkleVerifier
{
    public static bool VerifyInclusion(ulong leafIndex, ulong treeSize, ReadOnlySpan<byte> leafHash,
        IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (leafIndex >= treeSize || leafHash.Length != MerkleHash.Size || root.Length != MerkleHash.Size) return false;
        if (!AllHashes(proof)) return false;
        ulong fn = leafIndex, sn = treeSize - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0) { fn >>= 1; sn >>= 1; }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && root.SequenceEqual(r);
    }

    public static bool VerifyConsistency(ulong size1, ulong size2, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2,
        IReadOnlyList<byte[]> proof)
    {
        if (size1 == 0 || size1 > size2) return false;
        // Equal sizes compare the roots as given (transparency-dev semantics; the vectors probe this).
        if (size1 == size2) return proof.Count == 0 && root1.SequenceEqual(root2);
        if (root1.Length != MerkleHash.Size || root2.Length != MerkleHash.Size || proof.Count == 0 || !AllHashes(proof)) return false;
        var path = proof;
        if ((size1 & (size1 - 1)) == 0) path = [root1.ToArray(), .. proof];
        var roots = RootsFromPath(size1, size2, path);
        return roots is { } rs && rs.Root1.AsSpan().SequenceEqual(root1) && rs.Root2.AsSpan().SequenceEqual(root2);
    }

    /// <summary>
    /// Steps 3 to 8 of RFC 9162 2.1.4.2 on a full path (the size1 subtree hash already first when size1 is a
    /// power of two): the two roots the path commits to, or null when the path has the wrong shape.
    /// Equivocation evidence uses this directly: if Root2 matches one signed head and Root1 differs from the
    /// other, no single log explains both heads.
    /// </summary>
    public static (byte[] Root1, byte[] Root2)? RootsFromPath(ulong size1, ulong size2, IReadOnlyList<byte[]> path)
    {
        if (size1 == 0 || size1 >= size2 || path.Count == 0 || !AllHashes(path)) return null;
        ulong fn = size1 - 1, sn = size2 - 1;
        while ((fn & 1) == 1) { fn >>= 1; sn >>= 1; }
        byte[] fr = path[0], sr = path[0];
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0) return null;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0) { fn >>= 1; sn >>= 1; }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? (fr, sr) : null;
    }

    private static bool AllHashes(IReadOnlyList<byte[]> hashes)
    {
        foreach (var h in hashes)
            if (h is null || h.Length != MerkleHash.Size) return false;
        return true;
    }
}
