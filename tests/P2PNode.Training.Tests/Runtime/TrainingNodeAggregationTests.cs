using System.Globalization;
using System.Text.Json.Nodes;
using P2PNode.Compression;
using P2PNode.Identity;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Entries;
using P2PNode.Overlay;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>
/// docs/runtime.md §3 step 7 and §5: what a running node does at aggregation with contributions that passed the
/// message checks but cannot be used (wrong base, a delta of the wrong length, a norm outlier), and with late ones.
/// Peers here are real identities with real ledgers whose signed messages are handed to the node's validator.
/// </summary>
[Collection("torch")]
public sealed class TrainingNodeAggregationTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private static RunSpec Spec(int rounds, int minDeadlineMs) => new()
    {
        Model = "mlp", Seed = 3, Rounds = rounds, InnerSteps = 2, MinNodes = 1, BatchSize = 16, EvalSamples = 0,
        MinDeadlineMs = minDeadlineMs, DeadlineFactor = 0.01,
    };

    private static double N(JsonObject e, string key) => double.Parse(e[key]!.ToJsonString(), CultureInfo.InvariantCulture);

    private static byte[] Encoded(float[] values) => new DeltaEncoder(DeltaCodecSpec.Parse("topk:0.1+int8/64")).Encode(values);

    private static byte[] Message(RunPeer p, InProcessRun run, ulong round, byte[] baseModel, byte[] delta, ulong samples = 64) =>
        RunMessage.EncodeContribution(p.Contribute(run.Run, round, baseModel, delta, samples), delta);

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    [Fact]
    public async Task WrongBaseAndMalformedDeltaAreListedAsRejectedAndTheRoundStillCompletes()
    {
        using var run = new InProcessRun(1, Spec(rounds: 2, minDeadlineMs: 300));
        using var shortDelta = new RunPeer();
        using var wrongBase = new RunPeer();
        shortDelta.Join(run.Run);
        wrongBase.Join(run.Run);
        var node = run.Nodes[0];
        var rejections = new List<(PeerId, string)>();
        node.ContributionRejected += (p, r) => { lock (rejections) rejections.Add((p, r)); };

        // A well-formed, signed message whose delta decodes to 10 values more than the model has.
        var n = (int)run.Parameters;
        var bad = Message(shortDelta, run, 0, run.InitialModel, Encoded(new float[n + 10].Select((_, i) => (i % 7) * 1e-3f).ToArray()));
        // A contribution claiming a base no node ever had.
        var unknown = Enumerable.Repeat((byte)0x42, 32).ToArray();
        var orphan = Message(wrongBase, run, 0, unknown, Encoded(new float[n].Select((_, i) => (i % 5) * 1e-3f).ToArray()));
        Assert.Equal(ValidationResult.Accept, node.Validate(run.Delivery(shortDelta.Id, bad)));
        Assert.Equal(ValidationResult.Accept, node.Validate(run.Delivery(wrongBase.Id, orphan)));

        await run.RunAllAsync(Limit);

        Assert.Equal(2UL, node.RoundsDone);
        var aggregations = run.Peers[0].Own().Select(e => e.Entry.Body).OfType<AggregationBody>().ToList();
        Assert.Equal([0UL, 1], aggregations.Select(a => a.Round));
        var r0 = aggregations[0];
        var badHash = Hex(shortDelta.Own().Single(e => e.Kind == EntryKind.Contribution).Hash);
        var orphanHash = Hex(wrongBase.Own().Single(e => e.Kind == EntryKind.Contribution).Hash);
        var reasons = r0.Rejected.ToDictionary(x => Hex(x.Contribution), x => x.Reason);
        Assert.Equal("malformed_delta", reasons[badHash]);
        Assert.Equal("wrong_base", reasons[orphanHash]);
        Assert.Equal(2, reasons.Count);
        // The node's own contribution was used; the refused ones were not.
        var own = run.Peers[0].Own().Where(e => e.Kind == EntryKind.Contribution).Select(e => Hex(e.Hash)).ToList();
        Assert.Equal([own[0]], r0.Used.Select(u => Hex(u.Contribution)));
        Assert.NotEqual(run.InitialModel, r0.ResultModel);

        var m = run.Metrics[0];
        Assert.Equal(1, m.Get("training_contributions_rejected_malformed_delta"));
        Assert.Equal(1, m.Get("training_contributions_rejected_wrong_base"));
        Assert.Contains((shortDelta.Id, "malformed_delta"), rejections);
        Assert.Contains((wrongBase.Id, "wrong_base"), rejections);
        var round0 = run.Events.Single(e => (string?)e["event"] == "round" && N(e, "round") == 0);
        Assert.Equal(2, N(round0, "rejected"));
        Assert.Equal(1, N(round0, "used"));
        Assert.Equal(3, N(round0, "contributors"));

        // The node's ledger stays valid: the only findings are about the author who started from an unknown model.
        var audit = LedgerAuditor.Audit(RunPeer.Union([run.Peers[0], shortDelta, wrongBase]));
        Assert.All(audit.Findings, f => Assert.Equal(wrongBase.AuthorHex, f.Author));
        Assert.Contains(audit.Findings, f => f.Code == FindingCodes.LineageBaseMismatch);
    }

    [Fact]
    public async Task ALateContributionIsUsedOnceInTheNextRoundAndTheLedgerStaysValid()
    {
        using var run = new InProcessRun(1, Spec(rounds: 3, minDeadlineMs: 1500));
        using var late = new RunPeer();
        late.Join(run.Run);
        var node = run.Nodes[0];
        // The late peer is known (a Status), so the node waits for it until the deadline each round.
        Assert.Equal(ValidationResult.Accept, node.Validate(run.Delivery(late.Id, RunMessage.EncodeStatus(0, run.InitialModel, new float[32]))));
        using var cts = new CancellationTokenSource(Limit);
        var running = node.RunAsync(cts.Token);
        await Eventually.UntilAsync(() => node.RoundsDone >= 1 || running.IsCompleted, "the node to close round 0", Limit,
            interval: TimeSpan.FromMilliseconds(5));
        Assert.Equal(1UL, node.RoundsDone);
        var n = (int)run.Parameters;
        var message = Message(late, run, 0, run.InitialModel, Encoded(new float[n].Select((_, i) => (i % 9 - 4) * 1e-3f).ToArray()));
        Assert.Equal(ValidationResult.Accept, node.Validate(run.Delivery(late.Id, message)));
        Assert.Equal(ValidationResult.Ignore, node.Validate(run.Delivery(late.Id, message)));
        await running;
        Assert.False(cts.IsCancellationRequested);

        var lateHash = Hex(late.Own().Single(e => e.Kind == EntryKind.Contribution).Hash);
        var aggregations = run.Peers[0].Own().Select(e => e.Entry.Body).OfType<AggregationBody>().ToList();
        Assert.Equal([0UL, 1, 2], aggregations.Select(a => a.Round));
        // Used exactly once, in round 1 (the round open when it arrived), never again.
        Assert.Equal([1UL], aggregations.Where(a => a.Used.Any(u => Hex(u.Contribution) == lateHash)).Select(a => a.Round));
        Assert.DoesNotContain(aggregations, a => a.Rejected.Any(r => Hex(r.Contribution) == lateHash));
        Assert.Equal(1, N(run.Events.Single(e => (string?)e["event"] == "round" && N(e, "round") == 1), "late"));
        Assert.True(run.Metrics[0].Get("training_rounds_closed_by_deadline") >= 3);

        // docs/runtime.md §5: "listed among that round's used inputs ... the auditor checks this" — the ledger of a
        // node that folded in a late contribution must audit clean.
        var audit = LedgerAuditor.Audit(RunPeer.Union([run.Peers[0], late]));
        Assert.True(audit.Valid, string.Join("\n", audit.Findings));
    }

    [Fact]
    public async Task ANormOutlierIsRefusedAsNormOutlier()
    {
        // docs/runtime.md §1 and §3 step 7: "contributions with norm above norm_outlier_multiple × the round's median
        // are refused" (as `norm_outlier`).
        using var run = new InProcessRun(1, Spec(rounds: 1, minDeadlineMs: 300));
        var n = (int)run.Parameters;
        var peers = Enumerable.Range(0, 3).Select(_ => new RunPeer()).ToList();
        try
        {
            var scales = new[] { 1e-4f, 2e-4f, 100f };
            for (var i = 0; i < 3; i++)
            {
                peers[i].Join(run.Run);
                var values = new float[n].Select((_, j) => ((j * 31 + i) % 11 - 5) * scales[i]).ToArray();
                Assert.Equal(ValidationResult.Accept, run.Nodes[0].Validate(run.Delivery(peers[i].Id, Message(peers[i], run, 0, run.InitialModel, Encoded(values)))));
            }
            await run.RunAllAsync(Limit);
            var r0 = run.Peers[0].Own().Select(e => e.Entry.Body).OfType<AggregationBody>().Single();
            var outlier = Hex(peers[2].Own().Single(e => e.Kind == EntryKind.Contribution).Hash);
            Assert.Equal(3, r0.Used.Count + r0.Rejected.Count - 1);
            Assert.Contains(r0.Rejected, r => Hex(r.Contribution) == outlier && r.Reason == "norm_outlier");
            Assert.DoesNotContain(r0.Used, u => Hex(u.Contribution) == outlier);
        }
        finally
        {
            foreach (var p in peers) p.Dispose();
        }
    }
}
