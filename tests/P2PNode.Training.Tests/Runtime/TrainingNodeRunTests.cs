using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Entries;
using P2PNode.Training.Runtime;
using P2PNode.Training.State;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>
/// docs/runtime.md §3, §4, §7, §8: real training nodes in one process, wired by an in-memory gossip hub, train one
/// shared model with no coordinator and end every round with the same model, recorded in their ledgers.
/// </summary>
[Collection("torch")]
public sealed class TrainingNodeRunTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private static double N(System.Text.Json.Nodes.JsonObject e, string key) =>
        double.Parse(e[key]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static List<T> OwnBodies<T>(RunPeer p) where T : EntryBody => p.Own().Select(e => e.Entry.Body).OfType<T>().ToList();

    [Fact]
    public async Task ThreeNodesAgreeOnEveryRoundAndTheirLedgersAuditClean()
    {
        var spec = new RunSpec { Model = "mlp", Seed = 11, Rounds = 3, InnerSteps = 3, MinNodes = 3, BatchSize = 32, EvalSamples = 100 };
        using var run = new InProcessRun(3, spec);
        await run.RunAllAsync(Limit);

        var contributions = run.Peers.Select(p => p.Own().Where(e => e.Kind == EntryKind.Contribution).ToList()).ToList();
        var aggregations = run.Peers.Select(OwnBodies<AggregationBody>).ToList();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(3UL, run.Nodes[i].RoundsDone);
            // One contribution and one aggregation per round, rounds 0..2 in order.
            Assert.Equal([0UL, 1, 2], contributions[i].Select(e => ((ContributionBody)e.Entry.Body).Round));
            Assert.Equal([0UL, 1, 2], aggregations[i].Select(a => a.Round));
            Assert.All(contributions[i], e => Assert.Equal(run.Run, e.Entry.Run));
            Assert.All(aggregations[i], a => Assert.Empty(a.Rejected));
            var kinds = run.Peers[i].Own().Select(e => e.Kind).ToList();
            Assert.Equal(i == 0 ? [EntryKind.RunGenesis, EntryKind.Join] : [EntryKind.Join], kinds.Take(i == 0 ? 2 : 1));
        }
        for (ulong r = 0; r < 3; r++)
        {
            var round = aggregations.Select(a => a.Single(x => x.Round == r)).ToList();
            // Bit-identical results on every node, from the same base.
            Assert.Single(round.Select(a => Convert.ToHexStringLower(a.ResultModel)).Distinct());
            Assert.Single(round.Select(a => Convert.ToHexStringLower(a.BaseModel)).Distinct());
            Assert.Equal(r == 0 ? run.InitialModel : aggregations[0].Single(x => x.Round == r - 1).ResultModel, round[0].BaseModel);
            Assert.NotEqual(round[0].BaseModel, round[0].ResultModel);
            // Every node used exactly the three contributions of this round, weighted by their samples.
            var expected = contributions.Select(c => c.Single(e => ((ContributionBody)e.Entry.Body).Round == r)).ToList();
            foreach (var a in round)
            {
                Assert.Equal(expected.Select(e => Convert.ToHexStringLower(e.Hash)).Order(), a.Used.Select(u => Convert.ToHexStringLower(u.Contribution)).Order());
                foreach (var u in a.Used)
                    Assert.Equal((double)((ContributionBody)expected.Single(e => e.Hash.AsSpan().SequenceEqual(u.Contribution)).Entry.Body).Samples, u.Weight);
            }
            // The contributions of round r start from the base of round r.
            Assert.All(expected, e => Assert.Equal(round[0].BaseModel, ((ContributionBody)e.Entry.Body).BaseModel));
        }

        var audit = LedgerAuditor.Audit(RunPeer.Union(run.Peers));
        Assert.True(audit.Valid, string.Join("\n", audit.Findings));
        Assert.Equal(3, audit.Authors.Count);

        var final = aggregations[0].Single(a => a.Round == 2).ResultModel;
        var layout = GenesisModel.Describe(spec.ModelSpec(), spec.Seed).Layout;
        for (var i = 0; i < 3; i++)
        {
            var state = NodeState.Load(Path.Combine(run.Peers[i].Dir.Path, "state.bin"), (int)run.Parameters)!;
            Assert.Equal(3UL, state.Round);
            Assert.Equal(final, state.ModelHash);
            Assert.Equal(final, ModelHasher.Compute(spec.ModelSpec().Canonical, layout, state.Model));
            Assert.Equal(3 * 3, state.StepsDone);
            Assert.NotEmpty(state.OuterState);
            Assert.Contains(state.Residual, v => v != 0); // top-k 10% leaves a residual (error feedback)

            var m = run.Metrics[i];
            Assert.Equal(3, m.Get("training_contributions_published"));
            Assert.Equal(6, m.Get("training_contributions_received"));
            Assert.Equal(3, m.Get("training_rounds_aggregated"));
            Assert.DoesNotContain(m.Snapshot().Keys, k => k.StartsWith("training_contributions_rejected_", StringComparison.Ordinal));
        }
        // Every hub delivery of a contribution was accepted the first time.
        Assert.DoesNotContain(run.Verdicts, v => v.Verdict == P2PNode.Overlay.ValidationResult.Reject);

        // §8 progress events.
        var events = run.Events.ToList();
        var rounds = events.Where(e => (string?)e["event"] == "round").ToList();
        Assert.Equal(9, rounds.Count);
        Assert.All(rounds, e =>
        {
            Assert.Equal(3, N(e, "used"));
            Assert.Equal(3, N(e, "contributors"));
            Assert.Equal(0, N(e, "rejected"));
            Assert.Equal(0, N(e, "late"));
            Assert.Equal(0.0, N(e, "consensus_distance"));
            Assert.InRange(N(e, "accuracy"), 0, 1);
        });
        Assert.Equal(3, rounds.Count(e => e["final_accuracy"] is not null && N(e, "round") == 2));
        Assert.Single(rounds.Where(e => N(e, "round") == 2).Select(e => (string)e["model"]!).Distinct());
        Assert.Equal(Convert.ToHexStringLower(final)[..16], (string)rounds.First(e => N(e, "round") == 2)["model"]!);
        Assert.Equal(9, events.Count(e => (string?)e["event"] == "trained"));
    }

    [Fact]
    public async Task WithoutOverlapEveryRoundStartsFromTheSharedModelSoTwoRunsEndBitIdentical()
    {
        // Overlapped rounds take the previous result in whenever it arrives, so where the rebase falls (and the
        // final model) depends on timing; synchronous rounds do not. The same spec twice, the second time with every
        // message 300 ms late (with overlap the nodes would train several steps on the stale model first): same hash.
        var spec = new RunSpec { Model = "mlp", Seed = 5, Rounds = 3, InnerSteps = 30, MinNodes = 2, BatchSize = 16, EvalSamples = 0, Overlap = false };
        var finals = new List<string>();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var run = new InProcessRun(2, spec) { DeliveryDelay = TimeSpan.FromMilliseconds(300 * attempt) };
            await run.RunAllAsync(Limit);
            var last = run.Peers.Select(p => Convert.ToHexStringLower(OwnBodies<AggregationBody>(p).Single(a => a.Round == 2).ResultModel)).Distinct().ToList();
            Assert.Single(last);
            finals.Add(last[0]);
            // Each node waited for round r's result before training r+1: its contributions to rounds 1 and 2 start
            // from exactly that result.
            foreach (var p in run.Peers)
            {
                var aggregations = OwnBodies<AggregationBody>(p);
                foreach (var c in OwnBodies<ContributionBody>(p).Where(c => c.Round > 0))
                    Assert.Equal(aggregations.Single(a => a.Round == c.Round - 1).ResultModel, c.BaseModel);
            }
        }
        Assert.Equal(finals[0], finals[1]);
    }

    [Fact]
    public async Task ARestartedNodeResumesFromStateBinAndNeverContributesToARoundTwice()
    {
        var spec = new RunSpec { Model = "mlp", Seed = 5, Rounds = 3, InnerSteps = 2, MinNodes = 1, BatchSize = 16, EvalSamples = 0, MinDeadlineMs = 200, DeadlineFactor = 0.01 };
        using var run = new InProcessRun(1, spec);
        var peer = run.Peers[0];
        await run.RunAllAsync(Limit);
        var statePath = Path.Combine(peer.Dir.Path, "state.bin");
        var done = NodeState.Load(statePath, (int)run.Parameters)!;
        Assert.Equal(3UL, done.Round);

        // Crash after aggregating round 1 (state says "train round 2 next"), with round 2's contribution already in
        // the log: the restarted node trains round 2 again but does not contribute to it a second time.
        var round1 = OwnBodies<AggregationBody>(peer).Single(a => a.Round == 1);
        (done with { Round = 2, ModelHash = round1.ResultModel }).Save(statePath);
        var before = peer.Own().Count(e => e.Kind == EntryKind.Contribution);
        var again = new TrainingNode(run.Contexts[0]);
        using var cts = new CancellationTokenSource(Limit);
        await again.RunAsync(cts.Token);
        Assert.False(cts.IsCancellationRequested);
        Assert.Equal(before, peer.Own().Count(e => e.Kind == EntryKind.Contribution));
        Assert.Equal(3UL, again.RoundsDone);
        Assert.Contains(run.Events, e => (string?)e["event"] == "resumed" && N(e, "round") == 2);
        Assert.Equal(3UL, NodeState.Load(statePath, (int)run.Parameters)!.Round);
    }

    [Fact]
    public async Task ANodeRestartedAfterItsPeersFinishedDoesNotWaitForMinNodesAgain()
    {
        // docs/runtime.md §1: min_nodes is how many members a node must see "before round 0". A node resuming at a
        // later round whose peers have finished (and so no longer send Status) must still finish its run, closing
        // its rounds at the deadline; seen in `p2pnode swarm --kill 1@2` with short rounds, where the restarted
        // node waited for members forever.
        var spec = new RunSpec { Model = "mlp", Seed = 6, Rounds = 3, InnerSteps = 2, MinNodes = 2, BatchSize = 16, EvalSamples = 0, MinDeadlineMs = 300, DeadlineFactor = 0.01 };
        using var run = new InProcessRun(2, spec);
        await run.RunAllAsync(Limit);
        var peer = run.Peers[1];
        var statePath = Path.Combine(peer.Dir.Path, "state.bin");
        var done = NodeState.Load(statePath, (int)run.Parameters)!;
        var round1 = OwnBodies<AggregationBody>(peer).Single(a => a.Round == 1);
        (done with { Round = 2, ModelHash = round1.ResultModel }).Save(statePath);

        var again = new TrainingNode(run.Contexts[1]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await again.RunAsync(cts.Token);
        Assert.False(cts.IsCancellationRequested, "the resumed node waited for min_nodes members at round 2 and never finished");
        Assert.Equal(3UL, again.RoundsDone);
    }
}
