using P2PNode.TestSupport;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Ledger.Sync;
using P2PNode.Transport;
using static P2PNode.Core.Tests.Ledger.Sync.SyncKit;

namespace P2PNode.Core.Tests.Ledger.Sync;

// A signed entry that reached a node outside replication (a Contribution inside its gossip message) is kept and
// stored once it continues the author's log, so replication does not fetch it a second time (LedgerSync.Keep,
// LedgerStore.IngestEntry).
public sealed class KeptEntryTests : IAsyncLifetime
{
    // Heads go out only at session start and on AnnounceNow: the test decides when replication runs.
    private static readonly LedgerSyncOptions Manual = SyncNode.Fast with { HeadsInterval = TimeSpan.FromHours(1) };

    private readonly MemoryNetwork _network = new();
    private readonly List<SyncNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var n in _nodes) await n.DisposeAsync();
    }

    private async Task<(SyncNode A, SyncNode B)> SyncedPairAsync()
    {
        var a = await SyncNode.StartMemoryAsync(_network, Manual);
        _nodes.Add(a);
        var b = await SyncNode.StartMemoryAsync(_network, Manual);
        _nodes.Add(b);
        AppendLog(a.Store, a.Id.SigningKey, 4, "a");
        await b.ConnectAsync(a);
        await Eventually.UntilAsync(() => HoldsLogOf(b.Store, a), "b to replicate a's first four entries");
        return (a, b);
    }

    [Fact]
    public async Task AKeptEntryIsStoredAndTheHeadThatCoversItIsNotFetchedAgain()
    {
        var (a, b) = await SyncedPairAsync();
        Assert.Equal(4, a.Metrics.Get("ledger_entries_served"));

        AppendLog(a.Store, a.Id.SigningKey, 1, "a");
        var entry = a.Store.GetRange(a.Author, 4, 1)[0];
        b.Sync.Keep(entry);
        await Eventually.UntilAsync(() => b.Store.Size(a.Author) == 5, "b to store the kept entry");

        a.Sync.AnnounceNow(); // a's head now covers the kept entry
        await Eventually.UntilAsync(() => HoldsLogOf(b.Store, a) && WitnessesOf(a.Store, a.Author) == 1, "b to hold and witness a's head of size 5");

        Assert.Equal(4, a.Metrics.Get("ledger_entries_served")); // entry 4 was not asked for: 5 before keeping
        Assert.Equal(4, b.Metrics.Get("ledger_entries_ingested"));
        Assert.Equal(1, b.Metrics.Get("ledger_entries_kept"));
        Assert.Equal(0, b.Sync.KeptCount);
        var report = Audit(b.Store);
        Assert.True(report.Valid, string.Join("; ", report.Findings));
        Assert.Equal(a.Store.GetRange(a.Author, 0, 5).Select(e => e.Hash), b.Store.GetRange(a.Author, 0, 5).Select(e => e.Hash));
    }

    [Fact]
    public async Task AnEntryKeptBeforeTheOneItFollowsWaitsForIt()
    {
        var (a, b) = await SyncedPairAsync();
        AppendLog(a.Store, a.Id.SigningKey, 2, "a");
        var entries = a.Store.GetRange(a.Author, 4, 2);

        b.Sync.Keep(entries[1]);
        b.Sync.DrainKept();
        Assert.Equal(4, b.Store.Size(a.Author)); // entry 4 is missing: entry 5 cannot be stored yet

        b.Sync.Keep(entries[0]);
        await Eventually.UntilAsync(() => b.Store.Size(a.Author) == 6 && b.Sync.KeptCount == 0, "both kept entries to be stored in order");
        Assert.Equal(2, b.Metrics.Get("ledger_entries_kept"));
        Assert.True(Audit(b.Store).Valid);
    }

    [Fact]
    public async Task OwnEntriesAreNotKept()
    {
        var (a, _) = await SyncedPairAsync();
        a.Sync.Keep(a.Store.GetRange(a.Author, 3, 1)[0]);
        Assert.Equal(0, a.Sync.KeptCount);
    }

    [Fact]
    public void TheStoreTakesAnEntryThatContinuesTheLogAndFlagsADifferentOneAtAHeldSeq()
    {
        using var author = NodeIdentity.Generate();
        using var own = new TempLedger();
        using var other = new TempLedger();
        AppendLog(own.Store, author.SigningKey, 3, "x");
        var log = own.Store.GetRange(author.PublicKey, 0, 3);

        Assert.Equal(1, other.Store.IngestEntry(log[0]).Appended);
        Assert.Equal(0, other.Store.IngestEntry(log[2]).Appended); // seq 1 missing: not stored
        Assert.Equal(1, other.Store.IngestEntry(log[1]).Appended);
        Assert.Equal(0, other.Store.IngestEntry(log[1]).Appended); // held already
        Assert.Equal(2, other.Store.Size(author.PublicKey));

        var forged = SignedEntry.Sign(author.SigningKey, log[2].Entry with { Prev = new byte[32] });
        Assert.Throws<LedgerIngestException>(() => other.Store.IngestEntry(forged)); // prev does not chain

        var twin = SignedEntry.Sign(author.SigningKey, log[1].Entry with { TimeMs = log[1].Entry.TimeMs + 1 });
        var result = other.Store.IngestEntry(twin);
        Assert.NotNull(result.Equivocation);
        Assert.Contains(Convert.ToHexStringLower(author.PublicKey), other.Store.FlaggedAuthors().Keys);
    }
}
