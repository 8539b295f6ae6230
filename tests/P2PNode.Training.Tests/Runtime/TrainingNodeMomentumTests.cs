using System.Text.Json.Nodes;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>
/// docs/runtime.md §6–§7: a node that takes a peer's model (here a late joiner catching up, then adopting the rounds in
/// progress) takes the outer optimizer state served with it, so its own next outer steps give the peer's model bit
/// for bit. With statuses of the older layout (no momentum object) it steps with another momentum and the models
/// split at its first own aggregation: the state of the outer optimizer is what makes the difference.
/// </summary>
[Collection("torch")]
public sealed class TrainingNodeMomentumTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ALateJoinerStepsLikeItsPeerOnlyWithThePeersMomentum(bool legacyStatuses)
    {
        // Quorum 1 and a 30 s minimum deadline: once both nodes are active, both close every round with both
        // contributions, so any difference in their models comes from the outer step alone.
        var spec = new RunSpec { Model = "mlp", Seed = 5, Rounds = 24, InnerSteps = 4, MinNodes = 1, BatchSize = 32, EvalSamples = 0, MinDeadlineMs = 30_000 };
        using var run = new InProcessRun(2, spec, serveModels: true) { LegacyStatuses = legacyStatuses };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        // Node 0 trains alone (the quorum of one active node) until node 1's round-0 contribution would be out of its
        // window; then a Status in node 1's name (round 0, no model) makes node 1 active for node 0, which from then on
        // waits for its contributions. The Status goes in from node 0's own round-5 event, on its round thread: a wait
        // from the test's thread raced a node that, no longer polling, can run all 24 rounds before the test looks.
        ulong alone = 0;
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        run.OnEvent = (i, e) =>
        {
            if (i != 0 || (string)e["event"]! != "round" || (ulong)e["round"]! != 5 || joined.Task.IsCompleted) return;
            alone = run.Nodes[0].RoundsDone;
            run.Nodes[0].Validate(run.Delivery(run.Peers[1].Id, RunMessage.EncodeStatus(0, run.InitialModel, [])));
            joined.TrySetResult();
        };
        var running = new List<Task> { run.Nodes[0].RunAsync(cts.Token) };
        try
        {
            await Task.WhenAny(joined.Task, running[0]);
            Assert.True(joined.Task.IsCompleted, "node 0 ended before its round 5");
            running.Add(run.Nodes[1].RunAsync(cts.Token));
            await Task.WhenAll(running);
        }
        finally
        {
            await cts.CancelAsync(); // the status loops, and the nodes if an assertion failed: before the ledgers close
            await Task.WhenAll(running.Concat(run.Nodes.Select(n => n.Serving))).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        Assert.True(alone is >= 6 and < 18, $"node 0 aggregated {alone} rounds alone");

        var (id0, id1) = (run.Peers[0].Id.ToString(), run.Peers[1].Id.ToString());
        var events = run.Events.ToList();
        List<JsonObject> Of(string node, string kind) => events.Where(e => (string)e["node"]! == node && (string)e["event"]! == kind).ToList();
        var caughtUp = Assert.Single(Of(id1, "caught_up"));
        Assert.Equal(!legacyStatuses, (bool)caughtUp["momentum"]!);
        // The model each round closed with (not a final repair's, which reports the last round again).
        var peerModels = Of(id0, "round").Where(e => e["repaired"] is null).ToDictionary(e => (ulong)e["round"]!, e => (string)e["model"]!);
        // The rounds node 1 aggregated itself (not adopted from node 0) after catching up.
        var own = Of(id1, "round").Where(e => e["adopted"] is null && e["repaired"] is null).Select(e => ((ulong)e["round"]!, (string)e["model"]!)).ToList();
        Assert.True(own.Count >= 2, $"node 1 aggregated {own.Count} rounds itself");
        var split = own.Where(r => peerModels[r.Item1] != r.Item2).Select(r => r.Item1).ToList();
        var states = run.Peers.Select(p => NodeState.Load(Path.Combine(p.Dir.Path, "state.bin"), (int)run.Parameters)!).ToList();
        if (legacyStatuses)
        {
            Assert.Contains(own[0].Item1, split); // its first outer step with its own (reset) momentum gives another model
            return;
        }
        Assert.True(split.Count == 0, $"node 1's model differed from node 0's after rounds {string.Join(", ", split)}");
        Assert.Empty(Of(id0, "repaired").Concat(Of(id1, "repaired")));
        Assert.True(run.Metrics[1].Get("training_momentum_taken") >= 1);
        Assert.Equal(states[0].ModelHash, states[1].ModelHash);
        Assert.Equal(states[0].OuterState, states[1].OuterState); // step count and momentum buffer, bit for bit
    }
}
