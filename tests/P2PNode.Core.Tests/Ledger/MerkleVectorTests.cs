using System.Text.Json;
using P2PNode.Ledger.Merkle;

namespace P2PNode.Core.Tests.Ledger;

/// <summary>Every root, proof and negative probe of tests/vectors/rfc6962-merkle.json.</summary>
public sealed class MerkleVectorTests
{
    private static readonly JsonElement Vectors = LedgerVectors.Load();

    private static MerkleTree TreeOfVectorLeaves()
    {
        var tree = new MerkleTree();
        foreach (var leaf in Vectors.GetProperty("leaves").EnumerateArray())
            tree.Append(MerkleHash.Leaf(LedgerVectors.Hex(leaf)));
        return tree;
    }

    [Fact]
    public void HashVectors()
    {
        var cases = Vectors.GetProperty("hash_vectors").GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(4, cases.Count);
        foreach (var c in cases)
        {
            var want = c.GetProperty("want").GetString();
            var got = c.GetProperty("kind").GetString() switch
            {
                "empty_root" => MerkleHash.EmptyRoot(),
                "leaf" => MerkleHash.Leaf(LedgerVectors.Hex(c.GetProperty("data"))),
                "node" => MerkleHash.Node(LedgerVectors.Hex(c.GetProperty("left")), LedgerVectors.Hex(c.GetProperty("right"))),
                var k => throw new InvalidDataException($"unknown hash vector kind {k}"),
            };
            Assert.Equal(want, Convert.ToHexStringLower(got));
        }
    }

    [Fact]
    public void EveryRoot()
    {
        var tree = TreeOfVectorLeaves();
        var roots = Vectors.GetProperty("roots").EnumerateArray().ToList();
        Assert.Equal(9, roots.Count);
        foreach (var r in roots)
            Assert.Equal(r.GetProperty("root").GetString(), Convert.ToHexStringLower(tree.RootAt(r.GetProperty("tree_size").GetInt64())));
    }

    [Fact]
    public void EveryInclusionProofIsGeneratedAndVerifies()
    {
        var tree = TreeOfVectorLeaves();
        var proofs = Vectors.GetProperty("inclusion_proofs").EnumerateArray().ToList();
        Assert.Equal(5, proofs.Count);
        foreach (var p in proofs)
        {
            long index = p.GetProperty("leaf_index").GetInt64(), size = p.GetProperty("tree_size").GetInt64();
            var want = LedgerVectors.HexList(p.GetProperty("proof"));
            var got = tree.InclusionProof(index, size);
            Assert.Equal(want.Select(Convert.ToHexString), got.Select(Convert.ToHexString));
            Assert.True(MerkleVerifier.VerifyInclusion((ulong)index, (ulong)size, tree.LeafHash(index), want, tree.RootAt(size)));
        }
    }

    [Fact]
    public void EveryConsistencyProofIsGeneratedAndVerifies()
    {
        var tree = TreeOfVectorLeaves();
        var proofs = Vectors.GetProperty("consistency_proofs").EnumerateArray().ToList();
        Assert.Equal(5, proofs.Count);
        foreach (var p in proofs)
        {
            long s1 = p.GetProperty("size1").GetInt64(), s2 = p.GetProperty("size2").GetInt64();
            var want = LedgerVectors.HexList(p.GetProperty("proof"));
            Assert.Equal(want.Select(Convert.ToHexString), tree.ConsistencyProof(s1, s2).Select(Convert.ToHexString));
            Assert.True(MerkleVerifier.VerifyConsistency((ulong)s1, (ulong)s2, tree.RootAt(s1), tree.RootAt(s2), want));
        }
    }

    [Fact]
    public void EveryInclusionProbe()
    {
        var probes = Vectors.GetProperty("probes").GetProperty("inclusion").EnumerateArray().ToList();
        Assert.Equal(98, probes.Count);
        var failures = new List<string>();
        foreach (var p in probes)
        {
            var ok = MerkleVerifier.VerifyInclusion(p.GetProperty("leaf_index").GetUInt64(), p.GetProperty("tree_size").GetUInt64(),
                LedgerVectors.Hex(p.GetProperty("leaf_hash")), LedgerVectors.HexList(p.GetProperty("proof")), LedgerVectors.Hex(p.GetProperty("root")));
            if (ok == p.GetProperty("want_error").GetBoolean()) failures.Add(p.GetProperty("file").GetString()!);
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void EveryConsistencyProbe()
    {
        var probes = Vectors.GetProperty("probes").GetProperty("consistency").EnumerateArray().ToList();
        Assert.True(probes.Count > 50);
        var failures = new List<string>();
        foreach (var p in probes)
        {
            var ok = MerkleVerifier.VerifyConsistency(p.GetProperty("size1").GetUInt64(), p.GetProperty("size2").GetUInt64(),
                LedgerVectors.Hex(p.GetProperty("root1")), LedgerVectors.Hex(p.GetProperty("root2")), LedgerVectors.HexList(p.GetProperty("proof")));
            if (ok == p.GetProperty("want_error").GetBoolean()) failures.Add(p.GetProperty("file").GetString()!);
        }
        Assert.Empty(failures);
    }
}
