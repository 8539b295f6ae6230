using P2PNode.Ledger.Entries;

namespace P2PNode.Ledger.Storage;

/// <summary>How evidence sits in the database: the two signed objects as (canonical bytes || 64-byte
/// signature) and the path as concatenated 32-byte hashes.</summary>
internal static class EvidenceCodec
{
    public static (byte[] A, byte[] B, byte[] Path) Encode(Equivocation e) => e.Kind == EquivocationKind.EntryFork
        ? (e.EntryA!.LeafData(), e.EntryB!.LeafData(), [])
        : ([.. e.HeadA!.Encode(), .. e.HeadA.Signature], [.. e.HeadB!.Encode(), .. e.HeadB.Signature], e.Path.SelectMany(h => h).ToArray());

    public static Equivocation Decode(byte[] author, EquivocationKind kind, byte[] a, byte[] b, byte[] path)
    {
        if (kind == EquivocationKind.EntryFork)
            return new Equivocation { Kind = kind, Author = author, EntryA = Entry(a), EntryB = Entry(b) };
        return new Equivocation { Kind = kind, Author = author, HeadA = Head(a), HeadB = Head(b), Path = path.Chunk(32).ToList() };
    }

    private static SignedEntry Entry(byte[] data) => SignedEntry.FromParts(data[..^64], data[^64..]);

    private static SignedTreeHead Head(byte[] data) => SignedTreeHead.Decode(data.AsSpan(0, data.Length - 64), data[^64..]);
}
