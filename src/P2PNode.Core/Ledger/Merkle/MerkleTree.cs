namespace P2PNode.Ledger.Merkle;

/// <summary>
/// An append-only RFC 6962 Merkle tree over leaf hashes, held in memory. It keeps every complete aligned
/// subtree (level k holds the hashes of runs of 2^k leaves), so the root of any prefix and every
/// inclusion or consistency proof costs O(log n) hashes, and appending costs amortised O(1).
/// </summary>
public sealed class MerkleTree
{
    private readonly List<HashList> _levels = [new HashList()];

    public long Size => _levels[0].Count;

    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.Size) throw new ArgumentException("a leaf hash is 32 bytes", nameof(leafHash));
        _levels[0].Add(leafHash);
        var index = Size - 1;
        Span<byte> parent = stackalloc byte[MerkleHash.Size];
        // A right child (odd index) completes its parent; carry upwards like a binary counter.
        for (var level = 0; (index & 1) == 1; level++, index >>= 1)
        {
            MerkleHash.Node(_levels[level].Get(index - 1), _levels[level].Get(index), parent);
            if (_levels.Count == level + 1) _levels.Add(new HashList());
            _levels[level + 1].Add(parent);
        }
    }

    /// <summary>Drops leaves beyond <paramref name="size"/>: lets a store try a batch of remote entries and
    /// roll back when their tree head does not match, without rebuilding the tree.</summary>
    public void Truncate(long size)
    {
        CheckSize(size);
        for (var level = 0; level < _levels.Count; level++) _levels[level].Count = size >> level;
    }

    public byte[] LeafHash(long index)
    {
        if ((ulong)index >= (ulong)Size) throw new ArgumentOutOfRangeException(nameof(index));
        return _levels[0].Get(index).ToArray();
    }

    /// <summary>MTH of the first <paramref name="size"/> leaves.</summary>
    public byte[] RootAt(long size)
    {
        CheckSize(size);
        return size == 0 ? MerkleHash.EmptyRoot() : Subtree(0, size);
    }

    public byte[] Root() => RootAt(Size);

    /// <summary>RFC 6962 PATH(index, D[size]): the audit path of one leaf in the tree of the first size leaves.</summary>
    public List<byte[]> InclusionProof(long index, long size)
    {
        CheckSize(size);
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), $"leaf {index} is not in a tree of size {size}");
        var proof = new List<byte[]>();
        Path(index, 0, size, proof);
        return proof;
    }

    /// <summary>RFC 6962 PROOF(size1, D[size2]); empty when the sizes are equal.</summary>
    public List<byte[]> ConsistencyProof(long size1, long size2)
    {
        CheckSize(size2);
        if (size1 <= 0 || size1 > size2) throw new ArgumentOutOfRangeException(nameof(size1), $"consistency needs 0 < size1 <= size2, got {size1}, {size2}");
        var proof = new List<byte[]>();
        SubProof(size1, 0, size2, true, proof);
        return proof;
    }

    /// <summary>
    /// The consistency path with the size1 subtree hash included even when size1 is a power of two
    /// (RFC 9162 2.1.4.2 step 2 done with the true hash): what equivocation evidence carries, so that a
    /// verifier recomputes the honest size1 root instead of trusting the accused tree head.
    /// </summary>
    public List<byte[]> FullConsistencyPath(long size1, long size2)
    {
        var proof = ConsistencyProof(size1, size2);
        if (size1 < size2 && (size1 & (size1 - 1)) == 0) proof.Insert(0, Subtree(0, size1));
        return proof;
    }

    private void Path(long m, long start, long end, List<byte[]> proof)
    {
        var n = end - start;
        if (n == 1) return;
        var k = MerkleHash.SplitPoint(n);
        if (m < start + k)
        {
            Path(m, start, start + k, proof);
            proof.Add(Subtree(start + k, end));
        }
        else
        {
            Path(m, start + k, end, proof);
            proof.Add(Subtree(start, start + k));
        }
    }

    private void SubProof(long m, long start, long end, bool complete, List<byte[]> proof)
    {
        var n = end - start;
        if (m == n)
        {
            if (!complete) proof.Add(Subtree(start, end));
            return;
        }
        var k = MerkleHash.SplitPoint(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, complete, proof);
            proof.Add(Subtree(start + k, end));
        }
        else
        {
            SubProof(m - k, start + k, end, false, proof);
            proof.Add(Subtree(start, start + k));
        }
    }

    /// <summary>MTH of leaves [start, end). RFC 6962 recursion only asks for ranges whose start is aligned
    /// to the largest power of two below their length, so the left half is always a stored subtree.</summary>
    private byte[] Subtree(long start, long end)
    {
        var n = end - start;
        if ((n & (n - 1)) == 0 && start % n == 0)
        {
            var level = System.Numerics.BitOperations.Log2((ulong)n);
            return _levels[level].Get(start >> level).ToArray();
        }
        var k = MerkleHash.SplitPoint(n);
        return MerkleHash.Node(Subtree(start, start + k), Subtree(start + k, end));
    }

    private void CheckSize(long size)
    {
        if (size < 0 || size > Size) throw new ArgumentOutOfRangeException(nameof(size), $"tree size {size} is outside [0, {Size}]");
    }

    /// <summary>32-byte hashes in one growable array: a million leaves cost 32 MB, not a million objects.</summary>
    private sealed class HashList
    {
        private byte[] _data = new byte[64 * MerkleHash.Size];
        public long Count { get; set; }

        public void Add(ReadOnlySpan<byte> hash)
        {
            if ((Count + 1) * MerkleHash.Size > _data.LongLength) Array.Resize(ref _data, checked(_data.Length * 2));
            hash.CopyTo(_data.AsSpan((int)(Count * MerkleHash.Size)));
            Count++;
        }

        public ReadOnlySpan<byte> Get(long index) => _data.AsSpan((int)(index * MerkleHash.Size), MerkleHash.Size);
    }
}
