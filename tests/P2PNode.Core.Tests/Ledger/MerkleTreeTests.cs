using System.Security.Cryptography;
using P2PNode.Ledger.Merkle;

namespace P2PNode.Core.Tests.Ledger;

/// <summary>Proofs for every (index, size) and (size1, size2) pair of small trees, against a naive RFC 6962 MTH.</summary>
public sealed class MerkleTreeTests
{
    private static byte[] NaiveRoot(List<byte[]> leaves, int start, int end)
    {
        var n = end - start;
        if (n == 0) return SHA256.HashData(ReadOnlySpan<byte>.Empty);
        if (n == 1) return leaves[start];
        var k = 1;
        while (k * 2 < n) k *= 2;
        return MerkleHash.Node(NaiveRoot(leaves, start, start + k), NaiveRoot(leaves, start + k, end));
    }

    [Fact]
    public void AllProofsOfTreesUpTo33LeavesVerify()
    {
        var tree = new MerkleTree();
        var leaves = new List<byte[]>();
        for (var i = 0; i < 33; i++)
        {
            var h = MerkleHash.Leaf(BitConverter.GetBytes(i));
            leaves.Add(h);
            tree.Append(h);
        }
        for (var size = 1; size <= 33; size++)
        {
            var root = tree.RootAt(size);
            Assert.Equal(NaiveRoot(leaves, 0, size), root);
            for (var i = 0; i < size; i++)
            {
                var proof = tree.InclusionProof(i, size);
                Assert.True(MerkleVerifier.VerifyInclusion((ulong)i, (ulong)size, leaves[i], proof, root));
                Assert.False(MerkleVerifier.VerifyInclusion((ulong)i, (ulong)size, leaves[(i + 1) % 33], proof, root));
            }
            for (var s1 = 1; s1 <= size; s1++)
            {
                var proof = tree.ConsistencyProof(s1, size);
                Assert.True(MerkleVerifier.VerifyConsistency((ulong)s1, (ulong)size, tree.RootAt(s1), root, proof));
                if (s1 < size)
                {
                    var roots = MerkleVerifier.RootsFromPath((ulong)s1, (ulong)size, tree.FullConsistencyPath(s1, size));
                    Assert.NotNull(roots);
                    Assert.Equal(tree.RootAt(s1), roots.Value.Root1);
                    Assert.Equal(root, roots.Value.Root2);
                    Assert.False(MerkleVerifier.VerifyConsistency((ulong)s1, (ulong)size, tree.RootAt(s1 - 1), root, proof));
                }
            }
        }
    }

    [Fact]
    public void BadArgumentsThrowPreciseExceptions()
    {
        var tree = new MerkleTree();
        Assert.Throws<ArgumentException>(() => tree.Append(new byte[31]));
        tree.Append(new byte[32]);
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.RootAt(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.InclusionProof(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.ConsistencyProof(0, 1));
    }
}
