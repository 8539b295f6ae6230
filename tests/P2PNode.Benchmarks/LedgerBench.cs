using System.Diagnostics;
using Microsoft.Data.Sqlite;
using NSec.Cryptography;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Demo;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Merkle;
using P2PNode.Ledger.Storage;

namespace P2PNode.Benchmarks;

/// <summary>
/// Ledger benchmarks, each against a baseline measured in the same run:
/// 1. durable append (sign + hash + SQLite commit with synchronous=FULL) vs a bare SQLite insert of the same
///    bytes with the same durability, one commit per entry and batched;
/// 2. audit of N entries (default 1M; every signature, chain, Merkle roots, heads, lineage) vs raw Ed25519
///    verification of the same N signatures on all cores;
/// 3. inclusion and consistency proof sizes by log size.
/// Usage: LedgerBench.Run(["--entries", "1000000", "--authors", "8", "--append-seconds", "3"]).
/// </summary>
public static class LedgerBench
{
    public static int Run(string[] args)
    {
        var entries = Option(args, "--entries", 1_000_000);
        var authors = Option(args, "--authors", 8);
        var appendSeconds = Option(args, "--append-seconds", 3);
        Console.WriteLine($"ledger bench: {Environment.ProcessorCount} cores, {entries} entries for the audit, {authors} authors");
        DurableAppend(appendSeconds);
        Audit(entries, authors);
        ProofSizes();
        return 0;
    }

    private static void DurableAppend(int seconds)
    {
        var dir = Directory.CreateTempSubdirectory("p2pnode-ledger-bench-").FullName;
        try
        {
            var key = DemoLedger.NodeKey("bench", 0);
            using var store = LedgerStore.Open(Path.Combine(dir, "ledger.db"));
            var run = store.AppendOwn(key, new RunGenesisBody { Name = "b", Model = "m", Hyperparameters = "{}", DataPolicy = "p", InitialModel = new byte[32] }, new byte[32]).Hash;
            var sample = Contribution(0);
            var size = store.AppendOwn(key, sample, run).Bytes.Length + 64;

            var single = Rate(seconds, () => { store.AppendOwn(key, Contribution(1), run); return 1; });
            var batched = Rate(seconds, () => store.AppendOwnBatch(key, Enumerable.Range(0, 100).Select(i => ((EntryBody)Contribution((ulong)i), run)).ToList()).Count);

            // Baseline: the same bytes into a bare SQLite table, same journal and durability, no crypto.
            using var raw = new SqliteConnection($"Data Source={Path.Combine(dir, "raw.db")};Pooling=False");
            raw.Open();
            using (var c = raw.CreateCommand()) { c.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)"; c.ExecuteNonQuery(); }
            var blob = new byte[size];
            long k = 0;
            int Insert(int n)
            {
                using var tx = raw.BeginTransaction();
                using var c = raw.CreateCommand();
                c.Transaction = tx;
                c.CommandText = "INSERT INTO t VALUES($k, $v)";
                var pk = c.Parameters.Add("$k", SqliteType.Integer);
                c.Parameters.AddWithValue("$v", blob);
                for (var i = 0; i < n; i++) { pk.Value = k++; c.ExecuteNonQuery(); }
                tx.Commit();
                return n;
            }
            var rawSingle = Rate(seconds, () => Insert(1));
            var rawBatched = Rate(seconds, () => Insert(100));
            Console.WriteLine($"durable append, 1 entry/commit:    {single,10:F0} entries/s  (bare SQLite insert {rawSingle:F0}/s, ratio {single / rawSingle:F2})");
            Console.WriteLine($"durable append, 100 entries/commit: {batched,10:F0} entries/s  (bare SQLite insert {rawBatched:F0}/s, ratio {batched / rawBatched:F2})");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    private static void Audit(int count, int authors)
    {
        var sw = Stopwatch.StartNew();
        var snap = Synthetic(count, authors);
        Console.WriteLine($"built {snap.Entries.Count} signed entries in {sw.Elapsed.TotalSeconds:F1} s");

        // Baseline: NSec Ed25519 verification of exactly these signatures, messages prepared in advance, all cores.
        var keys = snap.Entries.Select(e => e.Entry.Author).DistinctBy(Convert.ToHexString)
            .ToDictionary(Convert.ToHexString, a => PublicKey.Import(SignatureAlgorithm.Ed25519, a, KeyBlobFormat.RawPublicKey));
        var prefix = System.Text.Encoding.ASCII.GetBytes(LedgerSignatures.EntryContext + "\0");
        var messages = snap.Entries.Select(e => (Key: keys[Convert.ToHexString(e.Entry.Author)], Msg: (byte[])[.. prefix, .. e.Entry.Bytes], e.Entry.Signature)).ToArray();
        // The machine is shared: measure the baseline before and after the audit and compare with their mean,
        // so load that comes and goes during the run does not favour either side.
        double RawRate()
        {
            GC.Collect();
            var t = Stopwatch.StartNew();
            var ok = 0;
            Parallel.For(0, messages.Length, () => 0,
                (i, _, n) => n + (SignatureAlgorithm.Ed25519.Verify(messages[i].Key, messages[i].Msg, messages[i].Signature) ? 1 : 0),
                n => Interlocked.Add(ref ok, n));
            if (ok != messages.Length) throw new InvalidOperationException("baseline verification failed");
            return messages.Length / t.Elapsed.TotalSeconds;
        }
        var rawBefore = RawRate();
        GC.Collect();
        sw.Restart();
        var report = LedgerAuditor.Audit(snap);
        var auditRate = snap.Entries.Count / sw.Elapsed.TotalSeconds;
        if (!report.Valid) throw new InvalidOperationException("synthetic ledger did not audit clean: " + report.Findings[0]);
        var rawAfter = RawRate();
        var rawRate = (rawBefore + rawAfter) / 2;
        Console.WriteLine($"audit of {snap.Entries.Count} entries, {snap.Heads.Count} heads: {auditRate,10:F0} entries/s");
        Console.WriteLine($"raw Ed25519 verify, same signatures, {Environment.ProcessorCount} cores: {rawRate,10:F0} sig/s (before {rawBefore:F0}, after {rawAfter:F0})");
        Console.WriteLine($"audit / raw verify ratio: {auditRate / rawRate:F2} (target >= 0.80)");
    }

    /// <summary>A valid multi-author ledger in memory: genesis, joins, contributions on the initial model,
    /// a head every 10,000 entries with one witness cosignature. Authors are signed in parallel (each log
    /// is a hash chain, so within one author signing is sequential).</summary>
    private static LedgerSnapshot Synthetic(int count, int authors)
    {
        var keys = Enumerable.Range(0, authors).Select(i => DemoLedger.NodeKey("bench-audit", i)).ToArray();
        var initial = DemoLedger.ModelHash("bench/initial");
        var genesis = SignedEntry.Sign(keys[0], new LedgerEntry
        {
            Author = LedgerSignatures.PublicKeyOf(keys[0]), Seq = 0, Prev = new byte[32], TimeMs = 1, Run = new byte[32],
            Body = new RunGenesisBody { Name = "bench", Model = "m", Hyperparameters = "{}", DataPolicy = "p", InitialModel = initial },
        });
        var logs = new List<SignedEntry>[authors];
        var heads = new List<SnapshotHead>[authors];
        Parallel.For(0, authors, a =>
        {
            var author = LedgerSignatures.PublicKeyOf(keys[a]);
            var log = logs[a] = a == 0 ? [genesis] : [];
            var tree = new MerkleTree();
            if (a == 0) tree.Append(genesis.Hash);
            heads[a] = [];
            var n = count / authors + (a < count % authors ? 1 : 0);
            while (log.Count < n)
            {
                EntryBody body = log.Count == (a == 0 ? 1 : 0)
                    ? new JoinBody { NodeId = $"n{a}", DisplayName = $"n{a}", Organisation = "XX", Hardware = "cpu", SoftwareVersion = "bench" }
                    : Contribution((ulong)log.Count, initial);
                var e = SignedEntry.Sign(keys[a], new LedgerEntry
                {
                    Author = author, Seq = (ulong)log.Count, Prev = log.Count == 0 ? new byte[32] : log[^1].Hash,
                    TimeMs = 1000 + log.Count, Run = genesis.Hash, Body = body,
                });
                log.Add(e);
                tree.Append(e.Hash);
                if (log.Count % 10_000 == 0 || log.Count == n)
                {
                    var sth = SignedTreeHead.Sign(keys[a], (ulong)tree.Size, tree.Root(), 2000 + log.Count);
                    heads[a].Add(new SnapshotHead(sth, [Cosignature.Sign(keys[(a + 1) % authors], sth, 3000)], null, null, 0));
                }
            }
        });
        var snap = new LedgerSnapshot();
        for (var a = 0; a < authors; a++)
        {
            snap.Entries.AddRange(logs[a].Select(e => new SnapshotEntry(e, 0)));
            snap.Heads.AddRange(heads[a]);
        }
        return snap;
    }

    private static void ProofSizes()
    {
        Console.WriteLine("proof sizes (hashes of 32 bytes): log size | inclusion, last leaf | inclusion, max | consistency n/2 -> n | consistency (n-1) -> n");
        var tree = new MerkleTree();
        var leaf = new byte[32];
        foreach (var n in new[] { 10, 100, 1_000, 10_000, 100_000, 1_000_000 })
        {
            while (tree.Size < n) { BitConverter.TryWriteBytes(leaf, tree.Size); tree.Append(MerkleHash.Leaf(leaf)); }
            var maxInclusion = new[] { 0L, n / 3, n / 2, n - 2, n - 1 }.Max(i => tree.InclusionProof(i, n).Count);
            Console.WriteLine($"  {n,9} | {tree.InclusionProof(n - 1, n).Count,3} ({tree.InclusionProof(n - 1, n).Count * 32} B) | {maxInclusion,3} ({maxInclusion * 32} B)"
                + $" | {tree.ConsistencyProof(n / 2, n).Count,3} ({tree.ConsistencyProof(n / 2, n).Count * 32} B) | {tree.ConsistencyProof(n - 1, n).Count,3}");
        }
    }

    private static ContributionBody Contribution(ulong i, byte[]? baseModel = null) => new()
    {
        Round = 0, BaseModel = baseModel ?? new byte[32], PayloadHash = DemoLedger.ModelHash($"payload/{i}"), PayloadSize = 40_000, Samples = 1000,
        InnerSteps = 50, LossBefore = 2.3, LossAfter = 2.1, Metrics = [new Metric("accuracy", 0.8)], ComputeSeconds = 12.5,
    };

    private static double Rate(int seconds, Func<int> step)
    {
        step(); // warm up
        var sw = Stopwatch.StartNew();
        long n = 0;
        while (sw.Elapsed.TotalSeconds < seconds) n += step();
        return n / sw.Elapsed.TotalSeconds;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0 ? v : fallback;
    }
}
