using NSec.Cryptography;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Merkle;

namespace P2PNode.Ledger.Storage;

public sealed partial class LedgerStore
{
    /// <summary>
    /// Accepts a contiguous range of another author's entries that brings its log up to <paramref name="sth"/>,
    /// plus the consistency proof from the latest head held for that author (empty when none is held or the
    /// sizes are equal). Entries overlapping those held must be identical; a different signed entry at a held
    /// seq, or a head no single log explains, is stored as evidence and the author flagged. Anything else
    /// wrong (signatures, chaining, gaps, root, proof) throws <see cref="LedgerIngestException"/> and stores nothing.
    /// </summary>
    public IngestResult IngestRemote(IReadOnlyList<SignedEntry> entries, SignedTreeHead sth, IReadOnlyList<byte[]> consistencyProof)
    {
        var author = sth.Author;
        var who = Convert.ToHexStringLower(author);
        if (!sth.VerifySignature()) throw new LedgerIngestException($"tree head {who}@{sth.Size}: signature does not verify");
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (!e.Author.AsSpan().SequenceEqual(author)) throw new LedgerIngestException($"entry {i} is by {Convert.ToHexStringLower(e.Author)}, not the tree head's author {who}");
            if (i > 0 && e.Seq != entries[0].Seq + (ulong)i) throw new LedgerIngestException($"entries are not contiguous: {entries[i - 1].Seq} then {e.Seq}");
            if (!e.VerifySignature()) throw new LedgerIngestException($"entry {who}:{e.Seq}: signature does not verify");
        }
        lock (_lock)
        {
            var log = Log(author);
            var held = log.Tree.Size;
            // 1. Overlap with what is held: identical, or an entry fork.
            foreach (var e in entries.Where(e => e.Seq < (ulong)held))
            {
                if (log.Tree.LeafHash((long)e.Seq).AsSpan().SequenceEqual(e.Hash)) continue;
                var mine = GetRange(author, e.Seq, 1)[0];
                if (mine.Bytes.AsSpan().SequenceEqual(e.Bytes)) throw new LedgerIngestException($"entry {who}:{e.Seq}: same content with a different signature encoding");
                return Flag(new Equivocation { Kind = EquivocationKind.EntryFork, Author = author, EntryA = mine, EntryB = e });
            }
            // 2. New entries must continue the chain from the held tip up to the head's size.
            var fresh = entries.Where(e => e.Seq >= (ulong)held).ToList();
            if (fresh.Count > 0 && fresh[0].Seq != (ulong)held) throw new LedgerIngestException($"entries of {who} start at {fresh[0].Seq}, but {held} are held: gap");
            var newSize = held + fresh.Count;
            if (sth.Size > (ulong)newSize) throw new LedgerIngestException($"tree head {who}@{sth.Size} is beyond the {newSize} entries held and given");
            if (fresh.Count > 0 && (ulong)newSize != sth.Size) throw new LedgerIngestException($"entries run to {newSize} but the tree head covers {sth.Size}");
            var prev = log.LastHash;
            foreach (var e in fresh)
            {
                if (!e.Entry.Prev.AsSpan().SequenceEqual(prev)) throw new LedgerIngestException($"entry {who}:{e.Seq}: prev does not chain to entry {e.Seq - 1}");
                prev = e.Hash;
            }
            foreach (var e in fresh) log.Tree.Append(e.Hash);
            try
            {
                // 3. The head must match the tree; a mismatch on a prefix already signed for is a fork.
                var root = log.Tree.RootAt((long)sth.Size);
                if (!root.AsSpan().SequenceEqual(sth.Root))
                {
                    var witness = fresh.Count == 0 ? CoveringHead(author, sth.Size) : null;
                    if (witness is null) throw new LedgerIngestException($"tree head {who}@{sth.Size}: root does not match the entries");
                    log.Tree.Truncate(held);
                    return Flag(Fork(log, sth, witness));
                }
                // 4. The consistency proof from the latest head held must verify (the light-client check).
                var latest = LatestHead(author);
                if (latest is not null && latest.Size <= sth.Size && latest.Size > 0 &&
                    !MerkleVerifier.VerifyConsistency(latest.Size, sth.Size, latest.Root, sth.Root, consistencyProof))
                    throw new LedgerIngestException($"consistency proof {who}@{latest.Size} -> @{sth.Size} does not verify");
                var existing = HeadOfSize(author, sth.Size);
                using var tx = _db.BeginTransaction();
                InsertEntries(tx, fresh);
                if (existing is null) InsertHead(tx, sth);
                tx.Commit();
                return new IngestResult(fresh.Count, existing is null, null);
            }
            catch
            {
                log.Tree.Truncate(held);
                throw;
            }
        }
    }

    /// <summary>
    /// Accepts one entry of another author that arrived outside replication (a Contribution inside its gossip
    /// message) when it continues the author's held log: its seq is the number of entries held and its prev the hash
    /// of the last one. It is stored without a tree head, like the entries an author appended after its latest head
    /// (docs/ledger.md §6: valid, not yet committed); replication then fetches only what follows it, and the head that
    /// covers it is checked against it as against any held entry. Returns 1 when stored; 0 when it does not continue
    /// the log (already held, or entries before it missing: the caller may offer it again later); a different signed
    /// entry at a held seq is stored as entry-fork evidence and the author flagged, as <see cref="IngestRemote"/>
    /// does. Throws <see cref="LedgerIngestException"/> on a bad signature or a prev that does not chain.
    /// </summary>
    public IngestResult IngestEntry(SignedEntry entry)
    {
        var who = Convert.ToHexStringLower(entry.Author);
        if (!entry.VerifySignature()) throw new LedgerIngestException($"entry {who}:{entry.Seq}: signature does not verify");
        lock (_lock)
        {
            var log = Log(entry.Author);
            var held = (ulong)log.Tree.Size;
            if (entry.Seq < held)
            {
                if (log.Tree.LeafHash((long)entry.Seq).AsSpan().SequenceEqual(entry.Hash)) return new IngestResult(0, false, null);
                var mine = GetRange(entry.Author, entry.Seq, 1)[0];
                if (mine.Bytes.AsSpan().SequenceEqual(entry.Bytes)) return new IngestResult(0, false, null); // same content, other signature encoding
                return Flag(new Equivocation { Kind = EquivocationKind.EntryFork, Author = entry.Author, EntryA = mine, EntryB = entry });
            }
            if (entry.Seq > held) return new IngestResult(0, false, null);
            if (!entry.Entry.Prev.AsSpan().SequenceEqual(log.LastHash)) throw new LedgerIngestException($"entry {who}:{entry.Seq}: prev does not chain to entry {entry.Seq - 1}");
            using var tx = _db.BeginTransaction();
            InsertEntries(tx, [entry]);
            tx.Commit();
            log.Tree.Append(entry.Hash);
            return new IngestResult(1, false, null);
        }
    }

    /// <summary>
    /// Witnesses a tree head: the store must already hold the author's entries up to its size (ingest first),
    /// which proves it consistent with every head seen before from that author. Stores and returns the cosignature.
    /// A head that contradicts the held log is stored as evidence, the author flagged, and an exception thrown.
    /// </summary>
    public Cosignature Cosign(Key witnessKey, SignedTreeHead sth, long? timeMs = null)
    {
        var who = Convert.ToHexStringLower(sth.Author);
        if (!sth.VerifySignature()) throw new LedgerIngestException($"tree head {who}@{sth.Size}: signature does not verify");
        lock (_lock)
        {
            var log = Log(sth.Author);
            if ((ulong)log.Tree.Size < sth.Size) throw new LedgerIngestException($"cannot witness {who}@{sth.Size}: only {log.Tree.Size} entries held; ingest first");
            if (!log.Tree.RootAt((long)sth.Size).AsSpan().SequenceEqual(sth.Root))
            {
                var witness = CoveringHead(sth.Author, sth.Size);
                if (witness is not null) Flag(Fork(log, sth, witness));
                throw new LedgerIngestException($"tree head {who}@{sth.Size} is inconsistent with the log held" + (witness is null ? "" : "; evidence stored"));
            }
            var cosig = Cosignature.Sign(witnessKey, sth, timeMs ?? Now());
            using var tx = _db.BeginTransaction();
            if (HeadOfSize(sth.Author, sth.Size) is null) InsertHead(tx, sth);
            InsertCosignature(tx, sth, cosig);
            tx.Commit();
            return cosig;
        }
    }

    /// <summary>Stores a cosignature received from another witness, after checking it against a held tree head.</summary>
    public void AddCosignature(SignedTreeHead sth, Cosignature cosig)
    {
        if (!cosig.Verify(sth)) throw new LedgerIngestException("cosignature does not verify");
        lock (_lock)
        {
            var held = HeadOfSize(sth.Author, sth.Size);
            if (held is null || !held.SameStatement(sth)) throw new LedgerIngestException("cosignature is for a tree head that is not held");
            using var tx = _db.BeginTransaction();
            InsertCosignature(tx, held, cosig);
            tx.Commit();
        }
    }

    /// <summary>Stores equivocation evidence found elsewhere (e.g. gossiped) once it checks out.</summary>
    public void AddEvidence(Equivocation evidence)
    {
        if (evidence.Check() is { } why) throw new LedgerIngestException($"evidence refused: {why}");
        lock (_lock) Flag(evidence);
    }

    private IngestResult Flag(Equivocation evidence)
    {
        var (a, b, path) = EvidenceCodec.Encode(evidence);
        using var tx = _db.BeginTransaction();
        using (var cmd = Command("INSERT INTO evidence(author, kind, a, b, path, found_ms) VALUES($au, $k, $a, $b, $p, $t)",
                   ("$au", evidence.Author), ("$k", (int)evidence.Kind), ("$a", a), ("$b", b), ("$p", path), ("$t", Now())))
        {
            cmd.Transaction = tx;
            cmd.ExecuteNonQuery();
        }
        using (var cmd = Command("INSERT OR IGNORE INTO flagged(author, reason, since_ms) VALUES($au, $r, $t)",
                   ("$au", evidence.Author), ("$r", evidence.Kind == EquivocationKind.EntryFork ? "entry_fork" : "tree_head_fork"), ("$t", Now())))
        {
            cmd.Transaction = tx;
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
        return new IngestResult(0, false, evidence);
    }

    /// <summary>A held head of at least this size: the held log reproduces its root, so it can testify.</summary>
    private SignedTreeHead? CoveringHead(byte[] author, ulong size)
    {
        var latest = LatestHead(author);
        return latest is not null && latest.Size >= size ? latest : null;
    }

    private static Equivocation Fork(AuthorLog log, SignedTreeHead accused, SignedTreeHead held) => new()
    {
        Kind = EquivocationKind.TreeHeadFork, Author = accused.Author, HeadA = accused, HeadB = held,
        Path = accused.Size == held.Size || accused.Size == 0 ? [] : log.Tree.FullConsistencyPath((long)accused.Size, (long)held.Size),
    };

    private void InsertCosignature(Microsoft.Data.Sqlite.SqliteTransaction tx, SignedTreeHead sth, Cosignature cosig)
    {
        using var cmd = Command("INSERT OR REPLACE INTO cosignatures(author, size, witness, time_ms, sig) VALUES($a, $s, $w, $t, $g)",
            ("$a", sth.Author), ("$s", checked((long)sth.Size)), ("$w", cosig.Witness), ("$t", cosig.TimeMs), ("$g", cosig.Signature));
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }
}
