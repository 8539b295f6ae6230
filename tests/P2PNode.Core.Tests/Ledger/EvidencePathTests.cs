using System.Security.Cryptography;
using P2PNode.Ledger.Demo;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Merkle;

namespace P2PNode.Core.Tests.Ledger;

/// <summary>
/// docs/ledger.md 4.6 as corrected: a tree-head fork's path is PROOF(a.size, b.size) of b's log, preceded by the
/// true hash of the first a.size leaves only when a.size is a power of two (what 4.5 step 4 builds). An outside
/// verifier that always prepended it was refused for sizes 3, 6 and 12.
/// </summary>
public sealed class EvidencePathTests
{
    private static readonly NSec.Cryptography.Key Author = DemoLedger.NodeKey("fork", 0);

    private static (SignedTreeHead A, SignedTreeHead B, MerkleTree Tree) Fork(long size1, long size2)
    {
        var tree = new MerkleTree();
        for (var i = 0; i < size2; i++) tree.Append(SHA256.HashData(BitConverter.GetBytes(i)));
        var b = SignedTreeHead.Sign(Author, (ulong)size2, tree.RootAt(size2), 2);
        var a = SignedTreeHead.Sign(Author, (ulong)size1, SHA256.HashData("another history"u8), 1); // the lie
        return (a, b, tree);
    }

    private static Equivocation Evidence(SignedTreeHead a, SignedTreeHead b, List<byte[]> path) => new()
    {
        Kind = EquivocationKind.TreeHeadFork, Author = a.Author, HeadA = a, HeadB = b, Path = path,
    };

    [Theory]
    [InlineData(3, 5)]
    [InlineData(6, 9)]
    [InlineData(12, 20)]
    [InlineData(4, 6)]
    [InlineData(8, 13)]
    [InlineData(1, 2)]
    public void ThePathAsDocumentedHoldsAndTheAlwaysPrependedFormDoesNotUnlessAPowerOfTwo(long size1, long size2)
    {
        var (a, b, tree) = Fork(size1, size2);
        var proof = tree.ConsistencyProof(size1, size2);
        var powerOfTwo = (size1 & (size1 - 1)) == 0;
        var documented = powerOfTwo ? [tree.RootAt(size1), .. proof] : proof;
        Assert.Null(Evidence(a, b, documented).Check());
        Assert.Equal(documented, tree.FullConsistencyPath(size1, size2)); // what our store puts in evidence
        List<byte[]> alwaysPrepended = [tree.RootAt(size1), .. proof];
        Assert.Equal(powerOfTwo, Evidence(a, b, alwaysPrepended).Check() is null);
        // And an honest a (the true root) is no fork at all.
        var honest = SignedTreeHead.Sign(Author, (ulong)size1, tree.RootAt(size1), 1);
        Assert.NotNull(Evidence(honest, b, documented).Check());
    }
}
