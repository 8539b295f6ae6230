using NSec.Cryptography;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Sync;
using P2PNode.Transport;
using P2PNode.Wire;
using static P2PNode.Core.Tests.Ledger.Sync.SyncKit;

namespace P2PNode.Core.Tests.Ledger.Sync;

// Real nodes (NodeHost, sessions, SQLite files in temp dirs) over the in-memory transport.
public sealed class LedgerSyncTests : IAsyncLifetime
{
    private readonly MemoryNetwork _network = new();
    private readonly List<SyncNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var n in _nodes) await n.DisposeAsync();
    }

    private async Task<SyncNode> NodeAsync(LedgerSyncOptions? options = null)
    {
        var n = await SyncNode.StartMemoryAsync(_network, options);
        _nodes.Add(n);
        return n;
    }

    [Fact]
    public async Task ThreeNodesReplicateEveryLogAndEachHeadGetsTwoWitnesses()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var c = await NodeAsync();
        AppendLog(a.Store, a.Id.SigningKey, 7, "a");
        AppendLog(b.Store, b.Id.SigningKey, 5, "b");
        AppendLog(c.Store, c.Id.SigningKey, 9, "c");
        await a.ConnectAsync(b);
        await b.ConnectAsync(c);
        await c.ConnectAsync(a);
        SyncNode[] all = [a, b, c];
        await Eventually.UntilAsync(() => all.All(s => all.All(author => HoldsLogOf(s.Store, author) && WitnessesOf(s.Store, author.Author) == 2)),
            "all logs everywhere, each head cosigned by the two others");
        foreach (var s in all)
        {
            Assert.Equal([7L, 5L, 9L], all.Select(author => s.Store.Size(author.Author)));
            var report = Audit(s.Store);
            Assert.True(report.Valid, string.Join("; ", report.Findings));
            Assert.Empty(s.Store.FlaggedAuthors());
            Assert.Equal(0, s.Metrics.Get("ledger_refused_entries"));
        }
        // 3 entries per request: 7 and 9 entries take several round trips.
        Assert.True(a.Metrics.Get("ledger_entries_ingested") == 14, $"a ingested {a.Metrics.Get("ledger_entries_ingested")}");
    }

    [Fact]
    public async Task OnceNothingChangesOnlyEveryTenthTickSendsHeadsAndANewEntryStillSpreadsAtOnce()
    {
        var options = SyncNode.Fast with { HeadsInterval = TimeSpan.FromMilliseconds(100), FullHeadsEvery = 10 };
        var a = await NodeAsync(options);
        var b = await NodeAsync(options);
        AppendLog(a.Store, a.Id.SigningKey, 4, "a");
        AppendLog(b.Store, b.Id.SigningKey, 3, "b");
        await a.ConnectAsync(b);
        SyncNode[] all = [a, b];
        await Eventually.UntilAsync(() => all.All(s => all.All(author => HoldsLogOf(s.Store, author) && (s == author || WitnessesOf(s.Store, author.Author) == 1))),
            "both logs on both nodes, each head witnessed");
        await Task.Delay(500); // the cosignatures' own round trip settles
        // 30 ticks with nothing new: every heads message is a repeat, and only the full ones (every 10th) go out.
        var before = b.Metrics.Get("ledger_heads_received");
        await Task.Delay(3000);
        var repeats = b.Metrics.Get("ledger_heads_received") - before;
        Assert.True(repeats is >= 1 and <= 5, $"b received {repeats} heads messages in 30 ticks of a quiet log");
        // A change goes out on the next tick, not the next full one.
        AppendLog(a.Store, a.Id.SigningKey, 1, "late");
        await Eventually.UntilAsync(() => b.Store.Size(a.Author) == 5, "a's new entry on b");
    }

    [Fact]
    public async Task AnOfflineNodeCatchesUpByRangeFetchWithAProofFromTheHeadItHeld()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var c = await NodeAsync();
        AppendLog(a.Store, a.Id.SigningKey, 5, "a");
        await a.ConnectAsync(b);
        await c.ConnectAsync(b);
        await Eventually.UntilAsync(() => HoldsLogOf(c.Store, a), "c to hold a@5 through b");
        var heldBefore = c.Store.GetTreeHead(a.Author)!;
        Assert.Equal(5UL, heldBefore.Size);

        foreach (var s in c.Host.Sessions) await s.CloseAsync(DisconnectReason.Normal, "going offline");
        await Eventually.UntilAsync(() => c.Host.Sessions.Count == 0, "c offline");
        AppendLog(a.Store, a.Id.SigningKey, 20, "a", time: 1_800_000_000_000);
        a.Sync.AnnounceNow();
        await Eventually.UntilAsync(() => HoldsLogOf(b.Store, a), "b to hold a@25");
        Assert.Equal(5, c.Store.Size(a.Author));

        var fetchesBefore = c.Metrics.Get("ledger_fetches");
        await c.ConnectAsync(b);
        await Eventually.UntilAsync(() => HoldsLogOf(c.Store, a), "c to catch up to a@25");
        Assert.Equal(25, c.Store.Size(a.Author));
        Assert.Equal(1, c.Metrics.Get("ledger_fetches") - fetchesBefore);
        Assert.Equal(0, c.Metrics.Get("ledger_refused_entries"));
        // Both heads are kept: the new one was accepted only with a consistency proof from the old one.
        Assert.Equal([5UL, 25UL], c.Store.GetTreeHeads(a.Author).Select(h => h.Size));
        await Eventually.UntilAsync(() => WitnessesOf(a.Store, a.Author) == 2, "a@25 witnessed by b and c");
        Assert.True(Audit(c.Store).Valid);
    }

    [Fact]
    public async Task AnEquivocatingAuthorIsCaughtEvidenceReachesEveryNodeAndItIsFlaggedEverywhere()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var c = await NodeAsync();
        // Author E signs two histories with its real key: identical up to seq 2, different from seq 2 on.
        using var e = Key.Create(SignatureAlgorithm.Ed25519);
        var author = LedgerSignatures.PublicKeyOf(e);
        using var sx = new TempLedger();
        using var sy = new TempLedger();
        AppendLog(sx.Store, e, 2, "e");
        AppendLog(sy.Store, e, 2, "e");
        AppendLog(sx.Store, e, 1, "x", time: 1_800_000_000_000);
        AppendLog(sy.Store, e, 2, "y", time: 1_800_000_000_000);
        var hx = sx.Store.PublishTreeHead(e);
        var hy = sy.Store.PublishTreeHead(e);
        a.Store.IngestRemote(sx.Store.GetRange(author, 0, 10), hx, []);
        b.Store.IngestRemote(sy.Store.GetRange(author, 0, 10), hy, []);
        foreach (var (n, tag) in new[] { (a, "a"), (b, "b"), (c, "c") }) AppendLog(n.Store, n.Id.SigningKey, 3, tag);

        await a.ConnectAsync(b);
        await b.ConnectAsync(c);
        await c.ConnectAsync(a);
        SyncNode[] all = [a, b, c];
        var hex = Convert.ToHexStringLower(author);
        await Eventually.UntilAsync(() => all.All(n => n.Store.FlaggedAuthors().ContainsKey(hex)
                && n.Store.GetEvidence().Select(ev => ev.Kind).Distinct().Count() == 2),
            "E flagged on every node with both an entry fork and a tree-head fork");
        foreach (var n in all)
        {
            foreach (var ev in n.Store.GetEvidence())
            {
                Assert.Null(ev.Check());
                Assert.Equal(author, ev.Author);
            }
            var fork = n.Store.GetEvidence().First(ev => ev.Kind == EquivocationKind.EntryFork);
            Assert.Equal(2UL, fork.EntryA!.Seq);
            // Nobody witnesses an equivocator's head after flagging it, and the honest logs replicate regardless.
            await Eventually.UntilAsync(() => all.All(o => HoldsLogOf(n.Store, o)), "honest logs everywhere");
        }
        // The entry fork was found by a node whose fetch failed the proof from the head it held (a, or c if it fetched
        // x first): the dispute fetch from seq 0 compared the entries one by one.
        Assert.True(all.Sum(n => n.Metrics.Get("ledger_dispute_fetches")) >= 1);
        Assert.True(b.Metrics.Get("ledger_evidence_found") >= 1);
        Assert.True(c.Metrics.Get("ledger_evidence_received") + c.Metrics.Get("ledger_evidence_found") >= 2);
    }

    [Fact]
    public async Task WithOneFetchAtATimeEveryAuthorStillArrivesInTurn()
    {
        var hub = await NodeAsync();
        var late = await NodeAsync(SyncNode.Fast with { MaxConcurrentFetches = 1 });
        AppendLog(hub.Store, hub.Id.SigningKey, 4, "hub");
        var keys = new List<Key>();
        for (var i = 0; i < 3; i++)
        {
            var k = Key.Create(SignatureAlgorithm.Ed25519);
            keys.Add(k);
            using var scratch = new TempLedger();
            AppendLog(scratch.Store, k, 5 + i, $"k{i}");
            var pk = LedgerSignatures.PublicKeyOf(k);
            hub.Store.IngestRemote(scratch.Store.GetRange(pk, 0, 100), scratch.Store.PublishTreeHead(k), []);
        }
        await late.ConnectAsync(hub);
        // The counters move just after the store does, so wait for both (then check they did not overshoot).
        await Eventually.UntilAsync(() => hub.Store.Authors().Count == 4 && hub.Store.Authors().All(au => late.Store.Size(au) == hub.Store.Size(au) && late.Store.Size(au) > 0)
            && late.Metrics.Get("ledger_entries_ingested") >= 4 + 5 + 6 + 7, "every author at the late node");
        Assert.Equal(4, late.Metrics.Get("ledger_fetches"));
        Assert.Equal(4 + 5 + 6 + 7, late.Metrics.Get("ledger_entries_ingested"));
        Assert.True(Audit(late.Store).Valid);
        foreach (var k in keys) k.Dispose();
    }
}
