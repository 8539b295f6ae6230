using P2PNode.Ledger.Merkle;

namespace P2PNode.Ledger.Entries;

/// <summary>
/// Self-contained proof that an author equivocated: anyone holding this object (and nothing else) can check
/// it. An entry fork carries both signed entries. A tree-head fork carries both signed heads (A.Size &lt;=
/// B.Size) and, when the sizes differ, the full consistency path from A.Size to B.Size of the log that B
/// signs: the path reproduces B's root but a different root than A's at A.Size.
/// </summary>
public sealed record Equivocation
{
    public required EquivocationKind Kind { get; init; }
    public required byte[] Author { get; init; }
    public SignedEntry? EntryA { get; init; }
    public SignedEntry? EntryB { get; init; }
    public SignedTreeHead? HeadA { get; init; }
    public SignedTreeHead? HeadB { get; init; }
    public IReadOnlyList<byte[]> Path { get; init; } = [];

    /// <summary>Null when the evidence holds; otherwise why it does not.</summary>
    public string? Check()
    {
        if (Kind == EquivocationKind.EntryFork)
        {
            if (EntryA is null || EntryB is null) return "entry fork needs two entries";
            if (!EntryA.Author.AsSpan().SequenceEqual(Author) || !EntryB.Author.AsSpan().SequenceEqual(Author)) return "entries are not by the accused author";
            if (EntryA.Seq != EntryB.Seq) return "entries have different sequence numbers";
            if (EntryA.Bytes.AsSpan().SequenceEqual(EntryB.Bytes)) return "entries are identical";
            if (!EntryA.VerifySignature() || !EntryB.VerifySignature()) return "an entry signature does not verify";
            return null;
        }
        if (HeadA is null || HeadB is null) return "tree-head fork needs two heads";
        if (!HeadA.Author.AsSpan().SequenceEqual(Author) || !HeadB.Author.AsSpan().SequenceEqual(Author)) return "heads are not by the accused author";
        if (!HeadA.VerifySignature() || !HeadB.VerifySignature()) return "a tree-head signature does not verify";
        if (HeadA.Size > HeadB.Size) return "head A is larger than head B";
        if (HeadA.Size == HeadB.Size)
            return HeadA.Root.AsSpan().SequenceEqual(HeadB.Root) ? "heads agree" : Path.Count == 0 ? null : "equal-size fork carries no path";
        if (HeadA.Size == 0) return HeadA.Root.AsSpan().SequenceEqual(MerkleHash.EmptyRoot()) ? "an empty head is consistent with every head" : null;
        var roots = MerkleVerifier.RootsFromPath(HeadA.Size, HeadB.Size, Path);
        if (roots is null) return "path has the wrong shape";
        if (!roots.Value.Root2.AsSpan().SequenceEqual(HeadB.Root)) return "path does not reproduce head B's root";
        return roots.Value.Root1.AsSpan().SequenceEqual(HeadA.Root) ? "heads are consistent" : null;
    }
}
