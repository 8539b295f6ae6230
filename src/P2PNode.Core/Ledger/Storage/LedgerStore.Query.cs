using Microsoft.Data.Sqlite;
using P2PNode.Ledger.Entries;

namespace P2PNode.Ledger.Storage;

public sealed partial class LedgerStore
{
    /// <summary>Authors with at least one entry or tree head, in byte order.</summary>
    public IReadOnlyList<byte[]> Authors()
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT author FROM entries UNION SELECT author FROM tree_heads ORDER BY 1");
            return ReadAll(cmd, r => (byte[])r[0]);
        }
    }

    /// <summary>Number of entries held for an author.</summary>
    public long Size(byte[] author)
    {
        lock (_lock) return Log(author).Tree.Size;
    }

    public byte[] RootAt(byte[] author, long size)
    {
        lock (_lock) return Log(author).Tree.RootAt(size);
    }

    /// <summary>Entries [fromSeq, fromSeq + count) of one author that are held, in order.</summary>
    public IReadOnlyList<SignedEntry> GetRange(byte[] author, ulong fromSeq, int count)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT bytes, sig FROM entries WHERE author=$a AND seq>=$s ORDER BY seq LIMIT $n",
                ("$a", author), ("$s", checked((long)fromSeq)), ("$n", count));
            return ReadAll(cmd, r => SignedEntry.FromParts((byte[])r[0], (byte[])r[1]));
        }
    }

    /// <summary>Every entry of every author, author by author in seq order (streamed: the export and auditor path).</summary>
    public IEnumerable<SignedEntry> AllEntries(byte[] author)
    {
        const int Page = 4096;
        for (ulong next = 0; ; )
        {
            var page = GetRange(author, next, Page);
            foreach (var e in page) yield return e;
            if (page.Count < Page) yield break;
            next += Page;
        }
    }

    /// <summary>One author's stored rows, undecoded, in seq order: lets an auditor report a corrupted row
    /// as a finding instead of failing on it.</summary>
    public IEnumerable<(ulong Seq, byte[] Bytes, byte[] Signature)> RawEntries(byte[] author)
    {
        const int Page = 4096;
        for (long next = 0; ; )
        {
            List<(ulong, byte[], byte[])> page;
            lock (_lock)
            {
                using var cmd = Command("SELECT seq, bytes, sig FROM entries WHERE author=$a AND seq>=$s ORDER BY seq LIMIT $n",
                    ("$a", author), ("$s", next), ("$n", Page));
                page = ReadAll(cmd, r => ((ulong)r.GetInt64(0), (byte[])r[1], (byte[])r[2]));
            }
            foreach (var row in page) yield return row;
            if (page.Count < Page) yield break;
            next = (long)page[^1].Item1 + 1;
        }
    }

    public SignedEntry? GetByHash(byte[] hash)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT bytes, sig FROM entries WHERE hash=$h LIMIT 1", ("$h", hash));
            return ReadAll(cmd, r => SignedEntry.FromParts((byte[])r[0], (byte[])r[1])).FirstOrDefault();
        }
    }

    /// <summary>The largest stored tree head of an author, or null.</summary>
    public SignedTreeHead? GetTreeHead(byte[] author)
    {
        lock (_lock) return LatestHead(author);
    }

    public IReadOnlyList<SignedTreeHead> GetTreeHeads(byte[] author)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT size, root, time_ms, sig FROM tree_heads WHERE author=$a ORDER BY size", ("$a", author));
            return ReadAll(cmd, r => ReadHead(author, r));
        }
    }

    public IReadOnlyList<Cosignature> GetCosignatures(byte[] author, ulong size)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT witness, time_ms, sig FROM cosignatures WHERE author=$a AND size=$s ORDER BY witness",
                ("$a", author), ("$s", checked((long)size)));
            return ReadAll(cmd, r => new Cosignature { Witness = (byte[])r[0], TimeMs = r.GetInt64(1), Signature = (byte[])r[2] });
        }
    }

    public IReadOnlyList<Equivocation> GetEvidence()
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT author, kind, a, b, path FROM evidence ORDER BY id");
            return ReadAll(cmd, r => EvidenceCodec.Decode((byte[])r[0], (EquivocationKind)r.GetInt32(1), (byte[])r[2], (byte[])r[3], (byte[])r[4]));
        }
    }

    /// <summary>Authors caught equivocating, with the reason recorded.</summary>
    public IReadOnlyDictionary<string, string> FlaggedAuthors()
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT author, reason FROM flagged");
            return ReadAll(cmd, r => (Convert.ToHexStringLower((byte[])r[0]), r.GetString(1))).ToDictionary(x => x.Item1, x => x.Item2);
        }
    }

    /// <summary>An inclusion proof of entry seq against the latest stored tree head (which covers it, or there is none yet).</summary>
    public (SignedEntry Entry, SignedTreeHead Head, List<byte[]> Path) ProveInclusion(byte[] author, ulong seq)
    {
        lock (_lock)
        {
            var entry = GetRange(author, seq, 1).FirstOrDefault(e => e.Seq == seq)
                ?? throw new KeyNotFoundException($"no entry {Convert.ToHexStringLower(author)}:{seq}");
            using var cmd = Command("SELECT size, root, time_ms, sig FROM tree_heads WHERE author=$a AND size>$s ORDER BY size DESC LIMIT 1",
                ("$a", author), ("$s", checked((long)seq)));
            var head = ReadAll(cmd, r => ReadHead(author, r)).FirstOrDefault()
                ?? throw new KeyNotFoundException($"no signed tree head covers {Convert.ToHexStringLower(author)}:{seq} yet");
            return (entry, head, Log(author).Tree.InclusionProof((long)seq, (long)head.Size));
        }
    }

    public List<byte[]> ProveConsistency(byte[] author, ulong size1, ulong size2)
    {
        lock (_lock) return Log(author).Tree.ConsistencyProof((long)size1, (long)size2);
    }

    private SignedTreeHead? LatestHead(byte[] author)
    {
        using var cmd = Command("SELECT size, root, time_ms, sig FROM tree_heads WHERE author=$a ORDER BY size DESC LIMIT 1", ("$a", author));
        return ReadAll(cmd, r => ReadHead(author, r)).FirstOrDefault();
    }

    private SignedTreeHead? HeadOfSize(byte[] author, ulong size)
    {
        using var cmd = Command("SELECT size, root, time_ms, sig FROM tree_heads WHERE author=$a AND size=$s", ("$a", author), ("$s", checked((long)size)));
        return ReadAll(cmd, r => ReadHead(author, r)).FirstOrDefault();
    }

    private static SignedTreeHead ReadHead(byte[] author, SqliteDataReader r) => new()
    {
        Author = author, Size = (ulong)r.GetInt64(0), Root = (byte[])r[1], TimeMs = r.GetInt64(2), Signature = (byte[])r[3],
    };

    private static List<T> ReadAll<T>(SqliteCommand cmd, Func<SqliteDataReader, T> read)
    {
        var list = new List<T>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add(read(r));
        return list;
    }
}
