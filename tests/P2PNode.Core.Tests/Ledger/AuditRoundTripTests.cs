using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Demo;

namespace P2PNode.Core.Tests.Ledger;

public sealed class AuditRoundTripTests
{
    [Fact]
    public void DemoLedgerAuditsCleanFromDatabaseAndExport()
    {
        using var t = new TempLedger();
        DemoLedger.Build(t.Store, authors: 3, rounds: 4);
        var fromDb = LedgerAuditor.Audit(LedgerSnapshot.FromStore(t.Store), new AuditOptions { MinWitnesses = 2 });
        Assert.Empty(fromDb.Findings);
        Assert.Equal(3, fromDb.Authors.Count);
        Assert.All(fromDb.Authors, a => Assert.Equal(2, a.Witnesses));
        // 1 genesis + 3 joins + 4 rounds x (3 contributions + 1 aggregation + 3 attestations) + 1 checkpoint
        Assert.Equal(1 + 3 + 4 * 7 + 1, fromDb.Entries);

        var export = new MemoryStream();
        LedgerExport.Write(t.Store, export);
        export.Position = 0;
        var fromExport = LedgerAuditor.Audit(LedgerExport.Read(export), new AuditOptions { MinWitnesses = 2 });
        Assert.Empty(fromExport.Findings);
        Assert.Equal(fromDb.Entries, fromExport.Entries);
        Assert.Equal(fromDb.Heads, fromExport.Heads);
    }

    [Fact]
    public void DemoIsDeterministic()
    {
        static string ExportOf()
        {
            using var t = new TempLedger();
            DemoLedger.Build(t.Store, 2, 2, "same");
            var ms = new MemoryStream();
            LedgerExport.Write(t.Store, ms);
            return System.Text.Encoding.UTF8.GetString(ms.ToArray());
        }
        Assert.Equal(ExportOf(), ExportOf());
    }
}
