using NSec.Cryptography;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Demo;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Core.Tests.Ledger;

public sealed class LedgerStoreTests
{
    private static readonly byte[] Zero = new byte[32];

    private static JoinBody Join(string name) => new()
    {
        NodeId = name, DisplayName = name, Organisation = "XX", Hardware = "cpu", SoftwareVersion = "test",
    };

    private static (SignedEntry Genesis, Key Key) StartRun(LedgerStore store, string seed)
    {
        var key = DemoLedger.NodeKey(seed, 0);
        var g = store.AppendOwn(key, new RunGenesisBody
        {
            Name = "t", Model = "m", Hyperparameters = "{}", DataPolicy = "p", InitialModel = DemoLedger.ModelHash("init"),
        }, Zero, 1);
        return (g, key);
    }

    [Fact]
    public void AppendedEntriesSurviveReopenWithTheSameRoot()
    {
        using var t = new TempLedger();
        var (g, key) = StartRun(t.Store, "reopen");
        for (var i = 0; i < 9; i++) t.Store.AppendOwn(key, Join($"n{i}"), g.Hash, 10 + i);
        var author = LedgerSignatures.PublicKeyOf(key);
        var root = t.Store.RootAt(author, 10);
        var sth = t.Store.PublishTreeHead(key, 100);
        Assert.Equal(10UL, sth.Size);
        Assert.Equal(sth.Signature, t.Store.PublishTreeHead(key, 200).Signature); // nothing new: no second head of one size
        var store = t.Reopen();
        Assert.Equal(10, store.Size(author));
        Assert.Equal(root, store.RootAt(author, 10));
        var next = store.AppendOwn(key, Join("after"), g.Hash, 50);
        Assert.Equal(10UL, next.Seq);
        Assert.Equal(store.GetRange(author, 9, 1)[0].Hash, next.Entry.Prev);
        var (entry, head, path) = store.ProveInclusion(author, 3);
        Assert.True(P2PNode.Ledger.Merkle.MerkleVerifier.VerifyInclusion(3, head.Size, entry.Hash, path, head.Root));
    }

    [Fact]
    public void AppendRejectsAWrongRunId()
    {
        using var t = new TempLedger();
        var (g, key) = StartRun(t.Store, "run");
        Assert.Throws<ArgumentException>(() => t.Store.AppendOwn(key, Join("x"), Zero));
        Assert.Throws<ArgumentException>(() => t.Store.AppendOwn(key, Join("x"), new byte[5]));
        Assert.Throws<ArgumentException>(() => t.Store.AppendOwn(key, (RunGenesisBody)g.Entry.Body, g.Hash));
    }

    [Fact]
    public void ReplicationInStepsWithConsistencyProofsThenWitnessing()
    {
        using var a = new TempLedger();
        using var b = new TempLedger();
        var (g, key) = StartRun(a.Store, "repl");
        var author = LedgerSignatures.PublicKeyOf(key);
        for (var i = 0; i < 4; i++) a.Store.AppendOwn(key, Join($"n{i}"), g.Hash, 10 + i);
        var h1 = a.Store.PublishTreeHead(key, 100);
        var r1 = b.Store.IngestRemote(a.Store.GetRange(author, 0, 100), h1, []);
        Assert.Equal(new IngestResult(5, true, null), r1);
        for (var i = 0; i < 6; i++) a.Store.AppendOwn(key, Join($"m{i}"), g.Hash, 20 + i);
        var h2 = a.Store.PublishTreeHead(key, 200);
        var proof = a.Store.ProveConsistency(author, h1.Size, h2.Size);

        // Refusals store nothing: bad proof, gap, broken signature, a head that does not match.
        Assert.Throws<LedgerIngestException>(() => b.Store.IngestRemote(a.Store.GetRange(author, 5, 100), h2, proof.Skip(1).ToList()));
        Assert.Throws<LedgerIngestException>(() => b.Store.IngestRemote(a.Store.GetRange(author, 6, 100), h2, proof));
        Assert.Throws<LedgerIngestException>(() => b.Store.IngestRemote(a.Store.GetRange(author, 5, 100), h2 with { Size = 9 }, proof));
        var tampered = a.Store.GetRange(author, 5, 100).ToList();
        var sig = (byte[])tampered[2].Signature.Clone();
        sig[0] ^= 1;
        tampered[2] = SignedEntry.FromParts(tampered[2].Bytes, sig);
        Assert.Throws<LedgerIngestException>(() => b.Store.IngestRemote(tampered, h2, proof));
        Assert.Equal(5, b.Store.Size(author));

        // Overlapping ranges are fine (identical entries), and the proof verifies.
        var r2 = b.Store.IngestRemote(a.Store.GetRange(author, 3, 100), h2, proof);
        Assert.Equal(new IngestResult(6, true, null), r2);
        Assert.Equal(a.Store.RootAt(author, 11), b.Store.RootAt(author, 11));

        using var witness = Key.Create(SignatureAlgorithm.Ed25519);
        var cosig = b.Store.Cosign(witness, h2, 300);
        Assert.True(cosig.Verify(h2));
        Assert.Single(b.Store.GetCosignatures(author, h2.Size));
        a.Store.AddCosignature(h2, cosig);
        Assert.Throws<LedgerIngestException>(() => a.Store.AddCosignature(h1, cosig));
        Assert.Empty(LedgerAuditor.Audit(LedgerSnapshot.FromStore(b.Store), new AuditOptions { MinWitnesses = 1 }).Findings);
    }

    [Fact]
    public void EntryForkIsStoredAsEvidenceAndTheAuthorFlagged()
    {
        using var honest = new TempLedger();
        using var fork = new TempLedger();
        using var replica = new TempLedger();
        var (g, key) = StartRun(honest.Store, "fork");
        var author = LedgerSignatures.PublicKeyOf(key);
        fork.Store.IngestRemote([g], honest.Store.PublishTreeHead(key, 5), []);
        honest.Store.AppendOwn(key, Join("one"), g.Hash, 10);
        fork.Store.AppendOwn(key, Join("other"), g.Hash, 10); // same key, same seq, different entry
        var h = honest.Store.PublishTreeHead(key, 20);
        replica.Store.IngestRemote(honest.Store.GetRange(author, 0, 10), h, []);

        var f = fork.Store.PublishTreeHead(key, 20);
        var result = replica.Store.IngestRemote(fork.Store.GetRange(author, 0, 10), f, []);
        Assert.NotNull(result.Equivocation);
        Assert.Equal(EquivocationKind.EntryFork, result.Equivocation.Kind);
        Assert.Null(result.Equivocation.Check());
        Assert.Contains(Convert.ToHexStringLower(author), replica.Store.FlaggedAuthors().Keys);
        Assert.Equal(2, replica.Store.Size(author)); // the fork was not appended

        var ms = new MemoryStream();
        LedgerExport.Write(replica.Store, ms);
        ms.Position = 0;
        var report = LedgerAuditor.Audit(LedgerExport.Read(ms));
        Assert.Equal([FindingCodes.Equivocation], report.Findings.Select(x => x.Code).ToArray());
        Assert.True(report.Authors.Single().Flagged);
    }

    [Fact]
    public void TreeHeadForkIsStoredAsSelfContainedEvidence()
    {
        using var honest = new TempLedger();
        using var fork = new TempLedger();
        using var replica = new TempLedger();
        var (g, key) = StartRun(honest.Store, "sthfork");
        var author = LedgerSignatures.PublicKeyOf(key);
        fork.Store.IngestRemote([g], honest.Store.PublishTreeHead(key, 5), []);
        for (var i = 0; i < 6; i++) honest.Store.AppendOwn(key, Join($"h{i}"), g.Hash, 10 + i);
        for (var i = 0; i < 3; i++) fork.Store.AppendOwn(key, Join($"f{i}"), g.Hash, 10 + i);
        var h = honest.Store.PublishTreeHead(key, 50);
        replica.Store.IngestRemote(honest.Store.GetRange(author, 0, 100), h, []);
        // The replica holds 7 entries under a head; the author now signs a head of size 4 over another log.
        var f = fork.Store.PublishTreeHead(key, 60);
        var result = replica.Store.IngestRemote([], f, []);
        Assert.Equal(EquivocationKind.TreeHeadFork, result.Equivocation!.Kind);
        Assert.Null(result.Equivocation.Check());
        // The evidence stands on its own: its path reproduces the honest root, not the forked one.
        // The check is not vacuous: an honest head of the same size in place of the forked one is consistent.
        var honestSmall = SignedTreeHead.Sign(key, f.Size, honest.Store.RootAt(author, (long)f.Size), 70);
        Assert.Equal("heads are consistent", (result.Equivocation with { HeadA = honestSmall }).Check());
        using var witness = Key.Create(SignatureAlgorithm.Ed25519);
        Assert.Throws<LedgerIngestException>(() => replica.Store.Cosign(witness, f));
        var evidence = replica.Store.GetEvidence();
        Assert.All(evidence, e => Assert.Null(e.Check()));
        Assert.Contains(FindingCodes.Equivocation, LedgerAuditor.Audit(LedgerSnapshot.FromStore(replica.Store)).Findings.Select(x => x.Code));
    }

    [Fact]
    public void CorruptedDatabaseRowsAreFindingsNotCrashes()
    {
        using var t = new TempLedger();
        var (keys, _) = DemoLedger.Build(t.Store, 2, 1);
        var author = LedgerSignatures.PublicKeyOf(keys[1]);
        t.Store.Dispose();
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={t.DbPath};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "UPDATE entries SET bytes = substr(bytes, 1, 50) WHERE author=$a AND seq=1; UPDATE entries SET sig = zeroblob(64) WHERE author=$a AND seq=2";
            cmd.Parameters.AddWithValue("$a", author);
            Assert.Equal(2, cmd.ExecuteNonQuery());
        }
        var store = t.Reopen();
        var codes = LedgerAuditor.Audit(LedgerSnapshot.FromStore(store)).Findings.Select(f => f.Code).ToHashSet();
        Assert.Contains(FindingCodes.BadEntryEncoding, codes);
        Assert.Contains(FindingCodes.BadEntrySignature, codes);
    }

    [Fact]
    public void NotALedgerDatabaseIsRefused()
    {
        var dir = Directory.CreateTempSubdirectory("p2pnode-ledger-").FullName;
        try
        {
            Assert.Throws<FileNotFoundException>(() => LedgerStore.Open(Path.Combine(dir, "missing.db"), readOnly: true));
            var junk = Path.Combine(dir, "junk.db");
            File.WriteAllText(junk, "this is not sqlite at all, just some text that is long enough to have a header");
            Assert.ThrowsAny<Exception>(() => LedgerStore.Open(junk, readOnly: true).Dispose());
        }
        finally { Directory.Delete(dir, true); }
    }
}
