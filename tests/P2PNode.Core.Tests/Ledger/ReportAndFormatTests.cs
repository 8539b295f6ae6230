using System.Text.Json;
using System.Text.RegularExpressions;
using P2PNode.Core.Tests.Config;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Demo;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Core.Tests.Ledger;

/// <summary>
/// docs/ledger.md sections 7 and 8 as an outsider reads them: `ledger report` counts each contribution once
/// (used anywhere wins over rejected elsewhere, which is an anomaly) with the JSON fields the page lists; the
/// database is a private, versioned format and the export carries everything the audit reads.
/// </summary>
public sealed class ReportAndFormatTests : IDisposable
{
    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly TempLedger _t = new();
    private readonly NSec.Cryptography.Key[] _k = Enumerable.Range(0, 3).Select(i => DemoLedger.NodeKey("report", i)).ToArray();

    public void Dispose() => _t.Dispose();

    private static byte[] M(int i) => Enumerable.Repeat((byte)(i + 1), 32).ToArray();

    /// <summary>k1 contributes c and d in round 0; k0 uses c; k2 rejects c (wrong_base) and d (norm_outlier).</summary>
    private void Build()
    {
        var s = _t.Store;
        var run = s.AppendOwn(_k[0], new RunGenesisBody { Name = "r", Model = "m", Hyperparameters = "{}", DataPolicy = "p", InitialModel = M(0) }, new byte[32], 1).Hash;
        foreach (var k in _k) s.AppendOwn(k, new JoinBody { NodeId = "n", DisplayName = "d", Organisation = "o", Hardware = "h", SoftwareVersion = "v" }, run, 2);
        ContributionBody C(ulong samples) => new()
        {
            Round = 0, BaseModel = M(0), PayloadHash = M(9), PayloadSize = 1, Samples = samples, InnerSteps = 1, LossBefore = 1, LossAfter = 1, ComputeSeconds = 1,
        };
        var c = s.AppendOwn(_k[1], C(10), run, 3);
        var d = s.AppendOwn(_k[1], C(20), run, 4);
        s.AppendOwn(_k[0], new AggregationBody { Round = 0, BaseModel = M(0), Used = [new WeightedInput(c.Hash, 1)], ResultModel = M(1) }, run, 5);
        s.AppendOwn(_k[2], new AggregationBody
        {
            Round = 0, BaseModel = M(0), Rejected = [new RejectedInput(c.Hash, "wrong_base"), new RejectedInput(d.Hash, "norm_outlier")], ResultModel = M(1),
        }, run, 6);
    }

    [Fact]
    public void AContributionUsedByOneAggregatorAndRejectedByAnotherCountsOnceAsAcceptedWithAnAnomaly()
    {
        Build();
        var snap = LedgerSnapshot.FromStore(_t.Store);
        var (contributors, _) = ContributorReport.Build(snap, LedgerAuditor.Audit(snap));
        var author = Convert.ToHexStringLower(P2PNode.Ledger.Entries.LedgerSignatures.PublicKeyOf(_k[1]));
        var k1 = contributors.Single(c => c.Author == author);
        Assert.Equal((2, 1, 1), (k1.Contributions, k1.Accepted, k1.Rejected));
        Assert.Equal(new Dictionary<string, int> { ["norm_outlier"] = 1 }, k1.RejectReasons);
        Assert.Contains(k1.Anomalies, a => a.Contains("was used by one aggregation and rejected by another (wrong_base); counted as accepted", StringComparison.Ordinal));
        Assert.Equal(30UL, k1.Samples);
    }

    /// <summary>docs/ledger.md §7, credit and flags: over two rounds k1 claims more samples than a round holds and is
    /// refused as a duplicate twice; k2 is refused as a duplicate once and used once; k0 is used with an honest claim.</summary>
    [Fact]
    public void InflatedClaimsAndRefusedCopiesEarnNoCreditAndOnlyTheRepeatOffenderIsFlagged()
    {
        var s = _t.Store;
        var run = s.AppendOwn(_k[0], new RunGenesisBody
        {
            Name = "r", Model = "m", Hyperparameters = """{"inner_steps":10,"batch_size":4}""", DataPolicy = "p", InitialModel = M(0),
        }, new byte[32], 1).Hash;
        foreach (var k in _k) s.AppendOwn(k, new JoinBody { NodeId = "n", DisplayName = "d", Organisation = "o", Hardware = "h", SoftwareVersion = "v" }, run, 2);
        SignedEntry Contribute(int who, ulong round, ulong samples) => s.AppendOwn(_k[who], new ContributionBody
        {
            Round = round, BaseModel = M((int)round), PayloadHash = M(9), PayloadSize = 1, Samples = samples, InnerSteps = 10, LossBefore = 1, LossAfter = 1, ComputeSeconds = 1,
        }, run, 3);
        for (ulong r = 0; r < 2; r++)
        {
            var honest = Contribute(0, r, 40);
            var copier = Contribute(1, r, 4000); // inflated: 10 x 4 = 40 samples a round
            var copied = Contribute(2, r, 40);
            s.AppendOwn(_k[0], new AggregationBody
            {
                Round = r, BaseModel = M((int)r), ResultModel = M((int)r + 1),
                Used = r == 0 ? [new WeightedInput(honest.Hash, 40)] : [new WeightedInput(honest.Hash, 40), new WeightedInput(copied.Hash, 40)],
                Rejected = r == 0 ? [new RejectedInput(copier.Hash, "duplicate"), new RejectedInput(copied.Hash, "duplicate")] : [new RejectedInput(copier.Hash, "duplicate")],
            }, run, 4);
        }
        var snap = LedgerSnapshot.FromStore(s);
        var (contributors, _) = ContributorReport.Build(snap, LedgerAuditor.Audit(snap));
        ContributorStats Of(int i) => contributors.Single(c => c.Author == Convert.ToHexStringLower(LedgerSignatures.PublicKeyOf(_k[i])));
        Assert.Equal((80UL, 2, 0), (Of(0).CreditedSamples, Of(0).CreditedRounds, Of(0).Flags.Count));
        Assert.Equal(1, Of(2).CreditedRounds);
        Assert.Equal(0UL, Of(1).CreditedSamples);
        Assert.Equal(new Dictionary<string, int> { ["inflated_samples"] = 2, ["duplicate"] = 2 }, Of(1).Flags);
        Assert.Equal((40UL, 0), (Of(2).CreditedSamples, Of(2).Flags.Count)); // copied once of two: half, but under 2
    }

    [Fact]
    public void TheReportJsonFieldsAreTheOnesTheDocumentationLists()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "ledger.md"));
        var paragraph = Regex.Match(doc, @"`--json` prints one object:(?<p>.*?)\n\n", RegexOptions.Singleline).Groups["p"].Value;
        var documented = Regex.Matches(paragraph, "`([a-z_]+)`").Select(m => m.Groups[1].Value).Where(n => n != "null").ToHashSet();
        // Serialized exactly as `ledger report --json` does (LedgerAuditCommands.Report).
        var options = SnakeCase;
        var contributor = JsonDocument.Parse(JsonSerializer.Serialize(new ContributorStats { Author = "a" }, options)).RootElement
            .EnumerateObject().Select(p => p.Name);
        string[] top = ["valid", "findings", "contributors", "run_anomalies"];
        Assert.Equal(documented.Order(), top.Concat(contributor).Order());
    }

    [Fact]
    public void TheDatabaseIsVersionedAndItsExportAuditsTheSame()
    {
        Build();
        var fromDb = LedgerAuditor.Audit(LedgerSnapshot.FromStore(_t.Store), new AuditOptions { MinWitnesses = 1 });
        var ms = new MemoryStream();
        LedgerExport.Write(_t.Store, ms);
        ms.Position = 0;
        var fromExport = LedgerAuditor.Audit(LedgerExport.Read(ms), new AuditOptions { MinWitnesses = 1 });
        Assert.NotEmpty(fromDb.Findings); // no heads, so too few witnesses for everyone
        Assert.Equal(fromDb.Findings.Select(f => (f.Code, f.Author, f.Seq)), fromExport.Findings.Select(f => (f.Code, f.Author, f.Seq)));

        // Another process's view of the file: the open store does not mind, a new open refuses the schema.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_t.DbPath}"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "UPDATE ledger_meta SET value='2' WHERE key='schema'";
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var e = Assert.Throws<InvalidDataException>(() => LedgerStore.Open(_t.DbPath, readOnly: true));
        Assert.Contains("ledger schema '2' is not 1", e.Message);
    }
}
