using NSec.Cryptography;

namespace P2PNode.Ledger.Entries;

/// <summary>
/// An author's signed statement "my log has Size entries with Merkle root Root" at TimeMs. Canonical bytes:
/// u8 version (1), 32 author, u64 size, 32 root, i64 time_ms. Two heads of one author that no single log
/// can explain are equivocation.
/// </summary>
public sealed record SignedTreeHead
{
    public required byte[] Author { get; init; }
    public required ulong Size { get; init; }
    public required byte[] Root { get; init; }
    public required long TimeMs { get; init; }
    public required byte[] Signature { get; init; }

    public byte[] Encode() => Encode(Author, Size, Root, TimeMs);

    public static byte[] Encode(byte[] author, ulong size, byte[] root, long timeMs)
    {
        var w = new CanonicalWriter();
        w.U8(1);
        w.Hash(author);
        w.U64(size);
        w.Hash(root);
        w.I64(timeMs);
        return w.ToArray();
    }

    public static SignedTreeHead Sign(Key key, ulong size, byte[] root, long timeMs)
    {
        var author = LedgerSignatures.PublicKeyOf(key);
        return new SignedTreeHead
        {
            Author = author, Size = size, Root = root, TimeMs = timeMs,
            Signature = LedgerSignatures.Sign(key, LedgerSignatures.TreeHeadContext, Encode(author, size, root, timeMs)),
        };
    }

    /// <summary>Parses canonical tree-head bytes plus a signature (the stored and evidence form).</summary>
    public static SignedTreeHead Decode(ReadOnlySpan<byte> bytes, byte[] signature)
    {
        var r = new CanonicalReader(bytes);
        var version = r.U8("version");
        if (version != 1) throw new FormatException($"tree head version {version} is not supported (expected 1)");
        var head = new SignedTreeHead { Author = r.Hash("author"), Size = r.U64("size"), Root = r.Hash("root"), TimeMs = r.I64("time_ms"), Signature = signature };
        r.End("tree head");
        return head;
    }

    public bool VerifySignature() =>
        Author.Length == 32 && Root.Length == 32 &&
        LedgerSignatures.Verify(Author, LedgerSignatures.TreeHeadContext, Encode(), Signature);

    public bool SameStatement(SignedTreeHead other) =>
        Author.AsSpan().SequenceEqual(other.Author) && Size == other.Size && Root.AsSpan().SequenceEqual(other.Root);
}
