using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Transport;
using P2PNode.Wire;
using P2PNode.Wire.Ledger;
using static P2PNode.Core.Tests.Ledger.Sync.SyncKit;

namespace P2PNode.Core.Tests.Ledger.Sync;

// A hostile peer speaking the real wire protocol from a real NodeHost (no LedgerSync): it serves its own log
// but forges an entry, then a consistency proof, and sends malformed, oversized and bogus messages.
public sealed class HostilePeerTests : IAsyncLifetime
{
    private readonly MemoryNetwork _network = new();
    private readonly NodeIdentity _mId = NodeIdentity.Generate();
    private readonly TempLedger _mLog = new();
    private readonly ConcurrentQueue<WireMessage> _mReceived = new();
    private NodeHost _m = null!;
    private SyncNode _victim = null!, _honest = null!;
    private Func<GetLedgerEntries, LedgerEntries>? _answer;

    public async Task InitializeAsync()
    {
        _victim = await SyncNode.StartMemoryAsync(_network);
        _honest = await SyncNode.StartMemoryAsync(_network);
        _m = new NodeHost(_mId, new MemoryTransport(_mId.PeerId, _network), new TransportOptions(), new NodeMetrics(), NullLogger.Instance);
        await _m.StartAsync(default);
        _m.MessageReceived += (session, message) =>
        {
            _mReceived.Enqueue(message);
            if (message is GetLedgerEntries g && _answer is { } answer) session.TrySend(answer(g));
            return ValueTask.CompletedTask;
        };
    }

    public async Task DisposeAsync()
    {
        await _m.DisposeAsync();
        await _victim.DisposeAsync();
        await _honest.DisposeAsync();
        _mLog.Dispose();
        _mId.Dispose();
    }

    private LedgerEntries Honest(GetLedgerEntries g, SignedTreeHead head) => new(g.From,
        _mLog.Store.GetRange(g.Author, g.From, (int)Math.Min(g.Count, g.TargetSize - g.From)), head,
        g.HaveSize > 0 && g.HaveSize < g.TargetSize ? _mLog.Store.ProveConsistency(g.Author, g.HaveSize, g.TargetSize) : []);

    [Fact]
    public async Task ForgedEntriesBadProofsAndBogusMessagesAreRefusedCountedAndTheHonestLogsStayIntact()
    {
        AppendLog(_victim.Store, _victim.Id.SigningKey, 4, "v");
        AppendLog(_honest.Store, _honest.Id.SigningKey, 6, "h");
        await _victim.ConnectAsync(_honest);
        var me = _mId.PublicKey;
        AppendLog(_mLog.Store, _mId.SigningKey, 2, "m");
        var h2 = _mLog.Store.PublishTreeHead(_mId.SigningKey);
        AppendLog(_mLog.Store, _mId.SigningKey, 2, "m", time: 1_800_000_000_000);
        var h4 = _mLog.Store.PublishTreeHead(_mId.SigningKey);
        var session = await _m.ConnectAsync(_victim.Address, _victim.Id.PeerId, default);

        // 1. A forged entry: entry 1's signature has one bit flipped.
        _answer = g =>
        {
            var honest = Honest(g, h4);
            var forged = honest.Entries.Select(e => e.Seq != 1 ? e : SignedEntry.FromParts(e.Bytes, Flip(e.Signature))).ToList();
            return honest with { Entries = forged };
        };
        session.TrySend(new LedgerHeads([new LedgerHeadItem(h4, [])]));
        await Eventually.UntilAsync(() => _victim.Metrics.Get("ledger_refused_entries") == 1, "the forged entry to be refused");
        Assert.Equal(0, _victim.Store.Size(me));
        Assert.Contains(_victim.Sync.RecentRefusals, r => r.Contains($"entry {Convert.ToHexStringLower(me)}:1: signature does not verify"));

        // 2. The victim holds m@2 honestly; m then serves m@4 with a made-up consistency proof (twice: normal, then dispute fetch).
        _victim.Store.IngestRemote(_mLog.Store.GetRange(me, 0, 2), h2, []);
        AppendLog(_mLog.Store, _mId.SigningKey, 2, "m", time: 1_900_000_000_000);
        var h6 = _mLog.Store.PublishTreeHead(_mId.SigningKey);
        _answer = g => Honest(g, h6) with { Proof = [new byte[32], new byte[32]] };
        session.TrySend(new LedgerHeads([new LedgerHeadItem(h6, [])]));
        await Eventually.UntilAsync(() => _victim.Metrics.Get("ledger_refused_entries") == 3, "the bad proof to be refused, also on the dispute fetch");
        Assert.Equal(1, _victim.Metrics.Get("ledger_dispute_fetches"));
        Assert.Contains(_victim.Sync.RecentRefusals, r => r.Contains("consistency proof") && r.Contains("@2 -> @6 does not verify"));
        Assert.Equal(2, _victim.Store.Size(me));
        Assert.Equal(2UL, _victim.Store.GetTreeHead(me)!.Size);
        // The same head is not fetched from the liar again on the next heads.
        session.TrySend(new LedgerHeads([new LedgerHeadItem(h6, [])]));

        // 3. An oversized request dies in the decoder; a nonsensical one is answered with LedgerUnavailable.
        var malformed = _victim.Metrics.Get("malformed_message");
        session.TrySend(new GetLedgerEntries(_victim.Author, 0, 100_000, 4, 0));
        await Eventually.UntilAsync(() => _victim.Metrics.Get("malformed_message") == malformed + 1, "the oversized request to be refused");
        session.TrySend(new GetLedgerEntries(_victim.Author, 9, 3, 4, 0));
        await Eventually.UntilAsync(() => _mReceived.OfType<LedgerUnavailable>().Any(), "LedgerUnavailable");
        Assert.Equal("from 9 is not below the target size 4", _mReceived.OfType<LedgerUnavailable>().First().Reason);
        Assert.Equal(1, _victim.Metrics.Get("ledger_refused_request"));

        // 4. Forged evidence against the honest node, a cosignature that does not verify, unsolicited entries.
        var hEntry = _honest.Store.GetRange(_honest.Author, 2, 1)[0];
        var other = _honest.Store.GetRange(_honest.Author, 3, 1)[0];
        var fake = SignedEntry.FromParts(hEntry.Bytes.ToArray(), Flip(other.Signature));
        session.TrySend(new LedgerEvidence(new Equivocation { Kind = EquivocationKind.EntryFork, Author = _honest.Author, EntryA = hEntry, EntryB = Rebuild(fake, hEntry) }));
        var hHead = _honest.Store.GetTreeHead(_honest.Author)!;
        session.TrySend(new LedgerCosignature(hHead, new Cosignature { Witness = me, TimeMs = 1, Signature = new byte[64] }));
        session.TrySend(new LedgerEntries(0, _honest.Store.GetRange(_honest.Author, 0, 2), hHead, []));
        await Eventually.UntilAsync(() => _victim.Metrics.Get("ledger_refused_evidence") == 1 && _victim.Metrics.Get("ledger_refused_cosignature") == 1
            && _victim.Metrics.Get("ledger_refused_unsolicited") == 1, "evidence, cosignature and unsolicited entries refused");

        // The honest logs replicated and audit clean on both honest stores; nobody is flagged.
        await Eventually.UntilAsync(() => HoldsLogOf(_victim.Store, _honest) && HoldsLogOf(_honest.Store, _victim), "honest replication");
        await Task.Delay(400); // a few heads ticks: the liar's head must not be fetched again
        Assert.Equal(1, _victim.Metrics.Get("ledger_dispute_fetches"));
        Assert.Equal(3, _victim.Metrics.Get("ledger_refused_entries"));
        foreach (var store in new[] { _victim.Store, _honest.Store })
        {
            var report = Audit(store);
            Assert.True(report.Valid, string.Join("; ", report.Findings));
            Assert.Empty(store.FlaggedAuthors());
            Assert.Empty(store.GetEvidence());
        }
    }

    private static byte[] Flip(byte[] signature)
    {
        var copy = signature.ToArray();
        copy[5] ^= 0x01;
        return copy;
    }

    // An entry at the same seq with different bytes (its time changed) and a signature that does not verify.
    private static SignedEntry Rebuild(SignedEntry fake, SignedEntry at)
    {
        var entry = at.Entry with { TimeMs = at.Entry.TimeMs + 1 };
        return SignedEntry.FromParts(entry.Encode(), fake.Signature);
    }
}
