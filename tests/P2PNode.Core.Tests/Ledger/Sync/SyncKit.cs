using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NSec.Cryptography;
using P2PNode.Identity;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Ledger.Sync;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Transport;

namespace P2PNode.Core.Tests.Ledger.Sync;

internal static class SyncKit
{
    /// <summary>Appends a valid log (genesis of an own run, join, then contributions) of <paramref name="count"/> &gt;= 2 entries,
    /// continuing from what the key already has in the store.</summary>
    public static void AppendLog(LedgerStore store, Key key, int count, string tag, long time = 1_767_225_600_000)
    {
        var author = LedgerSignatures.PublicKeyOf(key);
        var initial = SHA256.HashData(Encoding.UTF8.GetBytes($"{tag}/initial"));
        byte[] run;
        if (store.Size(author) == 0)
        {
            run = store.AppendOwn(key, new RunGenesisBody
            {
                Name = tag, Model = "m", Hyperparameters = "{}", DataPolicy = "local", InitialModel = initial,
            }, new byte[32], time++).Hash;
            store.AppendOwn(key, new JoinBody { NodeId = tag, DisplayName = tag, Organisation = "NO", Hardware = "cpu", SoftwareVersion = "p2pnode/0.1.0" }, run, time++);
            count -= 2;
        }
        else run = store.GetRange(author, 0, 1)[0].Hash;
        for (var i = 0; i < count; i++)
            store.AppendOwn(key, new ContributionBody
            {
                Round = 0, BaseModel = initial, PayloadHash = SHA256.HashData(Encoding.UTF8.GetBytes($"{tag}/{i}/{time}")), PayloadSize = 100,
                Samples = 10, InnerSteps = 5, LossBefore = 2, LossAfter = 1.5, ComputeSeconds = 1,
            }, run, time++);
    }

    /// <summary>True when the store holds the author's whole log up to the head it published, i.e. same root.</summary>
    public static bool HoldsLogOf(LedgerStore store, SyncNode author)
    {
        var want = author.Store.GetTreeHead(author.Author);
        var have = store.GetTreeHead(author.Author);
        return want is not null && have is not null && have.SameStatement(want) && store.Size(author.Author) == (long)want.Size;
    }

    public static int WitnessesOf(LedgerStore store, byte[] author)
    {
        var head = store.GetTreeHead(author);
        return head is null ? 0 : store.GetCosignatures(author, head.Size).Count(c => !c.Witness.AsSpan().SequenceEqual(author) && c.Verify(head));
    }

    public static AuditReport Audit(LedgerStore store) => LedgerAuditor.Audit(LedgerSnapshot.FromStore(store));
}
