using System.Security.Cryptography;
using P2PNode.Compression;
using P2PNode.Ledger.Entries;
using P2PNode.Overlay;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>docs/runtime.md §1 (genesis model check), §3 step 6 (quorum of the active nodes, else the deadline) and
/// §7 (a damaged state file is refused clearly).</summary>
[Collection("torch")]
public sealed class TrainingNodeRulesTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private static RunSpec Spec(double quorum, int minDeadlineMs) => new()
    {
        Model = "mlp", Seed = 8, Rounds = 1, InnerSteps = 2, MinNodes = 1, BatchSize = 16, EvalSamples = 0,
        Quorum = quorum, MinDeadlineMs = minDeadlineMs, DeadlineFactor = 1,
    };

    /// <summary>Two more members heard from (Status), one of which contributes to round 0.</summary>
    private static (RunPeer Speaker, RunPeer Silent) TwoMembers(InProcessRun run)
    {
        var speaker = new RunPeer();
        var silent = new RunPeer();
        var node = run.Nodes[0];
        foreach (var p in new[] { speaker, silent })
        {
            p.Join(run.Run);
            Assert.Equal(ValidationResult.Accept, node.Validate(run.Delivery(p.Id, RunMessage.EncodeStatus(0, run.InitialModel, new float[32]))));
        }
        ContributeToRoundZero(run, speaker, period: 3);
        Assert.Equal(3, node.ActiveMembers());
        return (speaker, silent);
    }

    /// <summary><paramref name="peer"/> signs a small round-0 delta and node 0 accepts it.</summary>
    private static void ContributeToRoundZero(InProcessRun run, RunPeer peer, int period)
    {
        var delta = new DeltaEncoder(DeltaCodecSpec.Parse(run.Spec.Codec)).Encode(new float[run.Parameters].Select((_, i) => (i % period - period / 2) * 1e-3f).ToArray());
        var entry = peer.Contribute(run.Run, 0, run.InitialModel, delta);
        Assert.Equal(ValidationResult.Accept, run.Nodes[0].Validate(run.Delivery(peer.Id, RunMessage.EncodeContribution(entry, delta))));
    }

    /// <summary>Contributions node 0's only Aggregation entry used.</summary>
    private static int UsedInRoundZero(InProcessRun run) => run.Peers[0].Own().Select(e => e.Entry.Body).OfType<AggregationBody>().Single().Used.Count;

    [Fact]
    public async Task ARoundClosesOnAQuorumOfTheActiveNodesWithoutWaitingForTheDeadline()
    {
        // quorum 0.5 of 3 active = ceil(1.5) = 2 contributions: this node's and the speaker's close the round; the
        // 60 s deadline is never reached (the counter would show it).
        using var run = new InProcessRun(1, Spec(quorum: 0.5, minDeadlineMs: 60_000));
        var (speaker, silent) = TwoMembers(run);
        using (speaker)
        using (silent)
        {
            await run.RunAllAsync(Limit);
            Assert.Equal(0, run.Metrics[0].Get("training_rounds_closed_by_deadline"));
            Assert.Equal(2, UsedInRoundZero(run));
        }
    }

    [Fact]
    public async Task WithoutAQuorumTheRoundClosesAtTheDeadlineWithWhatArrived()
    {
        using var run = new InProcessRun(1, Spec(quorum: 1.0, minDeadlineMs: 300));
        var (speaker, silent) = TwoMembers(run);
        using (speaker)
        using (silent)
        {
            await run.RunAllAsync(Limit);
            Assert.Equal(1, run.Metrics[0].Get("training_rounds_closed_by_deadline"));
            Assert.Equal(2, UsedInRoundZero(run));
        }
    }

    [Fact]
    public async Task PastTheDeadlineALiveNodeStillOnTheRoundIsWaitedForAndItsContributionUsed()
    {
        // The silent member keeps sending Status for round 0 (it is alive and on the round): once the 1 s deadline
        // passes the node waits for it (up to 4 s) instead of closing with two contributions.
        using var run = new InProcessRun(1, Spec(quorum: 1.0, minDeadlineMs: 1000));
        var (speaker, silent) = TwoMembers(run);
        using (speaker)
        using (silent)
        {
            var node = run.Nodes[0];
            var running = run.RunAllAsync(Limit);
            await Eventually.UntilAsync(() =>
            {
                if (run.Metrics[0].Get("training_rounds_waited_for_stragglers") > 0) return true;
                node.Validate(run.Delivery(silent.Id, RunMessage.EncodeStatus(0, run.InitialModel, new float[32])));
                return false;
            }, "the node to wait for the live straggler (training_rounds_waited_for_stragglers > 0)", Limit);
            ContributeToRoundZero(run, silent, period: 5);
            await running;
            Assert.Equal(0, run.Metrics[0].Get("training_rounds_closed_by_deadline"));
            Assert.Equal(3, UsedInRoundZero(run));
        }
    }

    [Fact]
    public async Task ANodeWhoseInitialModelIsNotTheGenesisModelRefusesToStart()
    {
        using var run = new InProcessRun(1, Spec(quorum: 1, minDeadlineMs: 300));
        var node = new TrainingNode(run.Contexts[0] with { InitialModel = SHA256.HashData("another model"u8) });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => node.RunAsync(new CancellationTokenSource(Limit).Token));
        Assert.Contains("genesis model", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Peers[0].Own(), x => x.Kind == EntryKind.Contribution);
    }

    [Fact]
    public async Task ADamagedStateFileIsRefusedWithAClearError()
    {
        using var run = new InProcessRun(1, Spec(quorum: 1, minDeadlineMs: 300));
        var path = Path.Combine(run.Peers[0].Dir.Path, "state.bin");
        new NodeState(0, run.InitialModel, new float[run.Parameters], [], new float[run.Parameters], 0).Save(path);
        var bytes = File.ReadAllBytes(path);
        bytes[200] ^= 0xff;
        File.WriteAllBytes(path, bytes);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => run.Nodes[0].RunAsync(new CancellationTokenSource(Limit).Token));
        Assert.IsType<InvalidDataException>(e.InnerException);
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Peers[0].Own(), x => x.Kind == EntryKind.Contribution);
    }
}
