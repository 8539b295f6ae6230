using System.Text.Json.Nodes;
using P2PNode.Compression;
using P2PNode.Ledger.Entries;
using P2PNode.Training.Byzantine;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>
/// Issue 14: an attacker is a real <see cref="TrainingNode"/> that follows the protocol but lies
/// (<see cref="RunContext.Attacker"/>). Node 2 of 3 attacks; the honest nodes 0 and 1 must still agree.
/// </summary>
[Collection("torch")]
public sealed class TrainingNodeByzantineTests
{
    private const int AttackerIndex = 2;
    private static readonly RunSpec Spec = new() { Model = "mlp", Seed = 11, Rounds = 3, InnerSteps = 3, MinNodes = 3, BatchSize = 32, EvalSamples = 0 };

    private static async Task<InProcessRun> RunWith(AttackMode mode)
    {
        var run = new InProcessRun(3, Spec, byzantine: new Dictionary<int, AttackMode> { [AttackerIndex] = mode });
        await run.RunAllAsync(TimeSpan.FromSeconds(120));
        var finals = run.Events.Where(e => (string?)e["event"] == "round" && (ulong)e["round"]! == (ulong)Spec.Rounds - 1).ToList();
        Assert.Single(finals.Where(e => (string)e["node"]! != NodeName(run, AttackerIndex)).Select(e => (string)e["model"]!).Distinct());
        return run;
    }

    private static string NodeName(InProcessRun run, int i) => run.Peers[i].Id.ToString();

    private static List<ContributionBody> Contributions(InProcessRun run, int i) =>
        run.Peers[i].Own().Select(e => e.Entry.Body).OfType<ContributionBody>().ToList();

    [Fact]
    public async Task AnAmplifyingAttackerIsRefusedAsANormOutlierByTheHonestNodes()
    {
        using var run = await RunWith(AttackMode.Amplify);
        var attackerEntries = run.Peers[AttackerIndex].Own().Where(e => e.Kind == EntryKind.Contribution).Select(e => Convert.ToHexStringLower(e.Hash)).ToHashSet();
        for (var i = 0; i < AttackerIndex; i++)
        {
            var refused = run.Peers[i].Own().Select(e => e.Entry.Body).OfType<AggregationBody>()
                .SelectMany(a => a.Rejected).Where(r => r.Reason == "norm_outlier").Select(r => Convert.ToHexStringLower(r.Contribution)).ToHashSet();
            Assert.Equal(attackerEntries, refused);
            Assert.Equal(Spec.Rounds, run.Metrics[i].Get("training_contributions_rejected_norm_outlier"));
        }
    }

    [Fact]
    public async Task AnInflatingAttackerClaimsAHundredTimesTheSamples()
    {
        using var run = await RunWith(AttackMode.Inflate);
        var honest = Contributions(run, 0);
        var lying = Contributions(run, AttackerIndex);
        Assert.Equal(Spec.Rounds, lying.Count);
        Assert.All(lying, c => Assert.Equal(honest.Single(h => h.Round == c.Round).Samples * (ulong)Attacker.InflateFactor, c.Samples));
    }

    [Fact]
    public async Task AZeroAttackerSendsAllZeroDeltas()
    {
        using var run = await RunWith(AttackMode.Zero);
        var payloads = run.Published[AttackerIndex].Where(m => RunMessage.KindOf(m) == RunMessage.ContributionKind).ToList();
        Assert.Equal(Spec.Rounds, payloads.Count);
        Assert.All(payloads, m => Assert.All(DeltaDecoder.Decode(RunMessage.DecodeContribution(m).Delta, (int)run.Parameters), v => Assert.Equal(0f, v)));
        Assert.All(Contributions(run, AttackerIndex), c => Assert.Equal(Contributions(run, 0).Single(h => h.Round == c.Round).Samples, c.Samples));
    }
}
