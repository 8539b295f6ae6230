using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Demo;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Core.Tests.Ledger;

/// <summary>docs/ledger.md §7 (issue 12, item 13): a contribution counts once per author's aggregations, whether the
/// second use is a later aggregation or the same aggregation listing it twice; the finding says which.</summary>
public sealed class DoubleUseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pnode-double-use-").FullName;

    [Theory]
    [InlineData(true, "is listed twice in this aggregation")]
    [InlineData(false, "was already used by an earlier aggregation of this author")]
    public void AnInputUsedTwiceIsOneFindingThatSaysWhere(bool sameAggregation, string says)
    {
        using var store = LedgerStore.Open(Path.Combine(_dir, "ledger.db"));
        var (k0, k1) = (DemoLedger.NodeKey("double", 0), DemoLedger.NodeKey("double", 1));
        byte[] M(int i) => Enumerable.Repeat((byte)(i + 1), 32).ToArray();
        var run = store.AppendOwn(k0, new RunGenesisBody { Name = "double", Model = "m", Hyperparameters = "{}", DataPolicy = "p", InitialModel = M(0) }, new byte[32], 1).Hash;
        store.AppendOwn(k0, new JoinBody { NodeId = "a", DisplayName = "a", Organisation = "", Hardware = "", SoftwareVersion = "" }, run, 2);
        store.AppendOwn(k1, new JoinBody { NodeId = "b", DisplayName = "b", Organisation = "", Hardware = "", SoftwareVersion = "" }, run, 2);
        var input = store.AppendOwn(k1, new ContributionBody
        {
            Round = 0, BaseModel = M(0), PayloadHash = M(9), PayloadSize = 1, Samples = 1, InnerSteps = 1, LossBefore = 1, LossAfter = 1, ComputeSeconds = 1,
        }, run, 3).Hash;
        var once = new WeightedInput(input, 1);
        store.AppendOwn(k0, new AggregationBody { Round = 0, BaseModel = M(0), Used = sameAggregation ? [once, once] : [once], ResultModel = M(1) }, run, 4);
        if (!sameAggregation)
        {
            Assert.Empty(Doubles(store)); // one use so far
            store.AppendOwn(k0, new AggregationBody { Round = 1, BaseModel = M(1), Used = [once], ResultModel = M(2) }, run, 5);
        }
        var finding = Assert.Single(Doubles(store));
        Assert.Contains(says, finding.Message);
    }

    private static List<Finding> Doubles(LedgerStore store) =>
        LedgerAuditor.Audit(LedgerSnapshot.FromStore(store)).Findings.Where(f => f.Code == FindingCodes.LineageDoubleUse).ToList();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
