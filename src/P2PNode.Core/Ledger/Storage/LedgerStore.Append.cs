using Microsoft.Data.Sqlite;
using NSec.Cryptography;
using P2PNode.Ledger.Entries;

namespace P2PNode.Ledger.Storage;

public sealed partial class LedgerStore
{
    /// <summary>Signs and durably appends one entry to the key owner's log. When this returns, the entry is on disk.</summary>
    public SignedEntry AppendOwn(Key key, EntryBody body, byte[] run, long? timeMs = null) =>
        AppendOwnBatch(key, [(body, run)], timeMs)[0];

    /// <summary>Appends several entries in one durable transaction (one fsync): the batched form of <see cref="AppendOwn"/>.</summary>
    public IReadOnlyList<SignedEntry> AppendOwnBatch(Key key, IReadOnlyList<(EntryBody Body, byte[] Run)> items, long? timeMs = null)
    {
        var author = LedgerSignatures.PublicKeyOf(key);
        foreach (var (body, run) in items)
        {
            if (run.Length != 32) throw new ArgumentException("run is a 32-byte entry hash", nameof(items));
            if (body.Kind == EntryKind.RunGenesis != run.AsSpan().SequenceEqual(new byte[32]))
                throw new ArgumentException("a RunGenesis carries the zero run id; every other entry carries its run's genesis hash", nameof(items));
        }
        lock (_lock)
        {
            var log = Log(author);
            var start = log.Tree.Size;
            var prev = log.LastHash;
            var signed = new List<SignedEntry>(items.Count);
            foreach (var (body, run) in items)
            {
                var entry = new LedgerEntry
                {
                    Author = author, Seq = (ulong)(start + signed.Count), Prev = prev,
                    TimeMs = timeMs ?? Now(), Run = run, Body = body,
                };
                var s = SignedEntry.Sign(key, entry);
                signed.Add(s);
                prev = s.Hash;
            }
            using (var tx = _db.BeginTransaction())
            {
                InsertEntries(tx, signed);
                tx.Commit();
            }
            foreach (var s in signed) log.Tree.Append(s.Hash);
            return signed;
        }
    }

    /// <summary>Signs and stores a tree head over the key owner's whole log (returns the stored one if the
    /// log has not grown since: one size, one head).</summary>
    public SignedTreeHead PublishTreeHead(Key key, long? timeMs = null)
    {
        var author = LedgerSignatures.PublicKeyOf(key);
        lock (_lock)
        {
            var log = Log(author);
            var latest = LatestHead(author);
            if (latest is not null && latest.Size == (ulong)log.Tree.Size) return latest;
            var sth = SignedTreeHead.Sign(key, (ulong)log.Tree.Size, log.Tree.Root(), timeMs ?? Now());
            using var tx = _db.BeginTransaction();
            InsertHead(tx, sth);
            tx.Commit();
            return sth;
        }
    }

    private void InsertEntries(SqliteTransaction tx, IEnumerable<SignedEntry> entries)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO entries(author, seq, kind, time_ms, hash, bytes, sig) VALUES($a, $s, $k, $t, $h, $b, $g)";
        var pa = cmd.Parameters.Add("$a", SqliteType.Blob);
        var ps = cmd.Parameters.Add("$s", SqliteType.Integer);
        var pk = cmd.Parameters.Add("$k", SqliteType.Integer);
        var pt = cmd.Parameters.Add("$t", SqliteType.Integer);
        var ph = cmd.Parameters.Add("$h", SqliteType.Blob);
        var pb = cmd.Parameters.Add("$b", SqliteType.Blob);
        var pg = cmd.Parameters.Add("$g", SqliteType.Blob);
        cmd.Prepare();
        foreach (var e in entries)
        {
            pa.Value = e.Author; ps.Value = checked((long)e.Seq); pk.Value = (int)e.Kind; pt.Value = e.Entry.TimeMs;
            ph.Value = e.Hash; pb.Value = e.Bytes; pg.Value = e.Signature;
            cmd.ExecuteNonQuery();
        }
    }

    private void InsertHead(SqliteTransaction tx, SignedTreeHead sth)
    {
        using var cmd = Command("INSERT INTO tree_heads(author, size, root, time_ms, sig) VALUES($a, $s, $r, $t, $g)",
            ("$a", sth.Author), ("$s", checked((long)sth.Size)), ("$r", sth.Root), ("$t", sth.TimeMs), ("$g", sth.Signature));
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }
}
