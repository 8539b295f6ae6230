using P2PNode.Aggregation;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Entries;
using P2PNode.Training.Byzantine;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>
/// Issue 14, judging in the node (docs/runtime.md §3a): five real <see cref="TrainingNode"/>s judge every contribution
/// of each round on their own held-out batch; node 4 lies (in its delta and in its scores). Every honest node must
/// exclude the attacker's contribution of every round as judged_harmful, none of the honest ones, cite the
/// attestations it decided from, and end on the model the other honest nodes hold.
/// </summary>
[Collection("torch")]
public sealed class TrainingNodeJudgingTests
{
    private const int Nodes = 5;
    private const int AttackerIndex = 4;
    private static readonly RunSpec Spec = new()
    {
        Model = "mlp", Seed = 21, Rounds = 3, InnerSteps = 4, MinNodes = Nodes, BatchSize = 32, EvalSamples = 0, JudgeSamples = 100,
    };

    [Theory]
    [InlineData(AttackMode.Scale)]
    [InlineData(AttackMode.SignFlip)]
    public async Task EveryHonestNodeExcludesTheAttackerOnItsJudgesWordAndOnlyIt(AttackMode mode)
    {
        using var run = new InProcessRun(Nodes, Spec, byzantine: new Dictionary<int, AttackMode> { [AttackerIndex] = mode });
        await run.RunAllAsync(TimeSpan.FromSeconds(180));
        var attacker = run.Peers[AttackerIndex].Own().Where(e => e.Kind == EntryKind.Contribution).Select(e => Convert.ToHexStringLower(e.Hash)).ToHashSet();
        var attestations = run.Peers.SelectMany(p => p.Own()).Where(e => e.Kind == EntryKind.Attestation).ToDictionary(e => Convert.ToHexStringLower(e.Hash));
        // Each node scores the other four every round.
        Assert.Equal(Nodes * (Nodes - 1) * Spec.Rounds, attestations.Count);
        var finals = new HashSet<string>();
        for (var i = 0; i < Nodes; i++)
        {
            if (i == AttackerIndex) continue;
            var aggregations = run.Peers[i].Own().Select(e => e.Entry.Body).OfType<AggregationBody>().ToList();
            Assert.Equal(Spec.Rounds, aggregations.Count);
            var judged = aggregations.SelectMany(a => a.Rejected).Where(r => r.Reason == RejectionReason.JudgedHarmful.Code())
                .Select(r => Convert.ToHexStringLower(r.Contribution)).ToHashSet();
            Assert.Equal(attacker, judged);
            foreach (var a in aggregations)
            {
                Assert.NotEmpty(a.Judgements);
                Assert.All(a.Judgements, h => Assert.Equal(a.Round, ((AttestationBody)attestations[Convert.ToHexStringLower(h)].Entry.Body).Round));
            }
            finals.Add(Convert.ToHexStringLower(aggregations[^1].ResultModel));
        }
        Assert.Single(finals);
        // The auditor re-runs every aggregation's judging from the cited attestations and agrees; the report flags the
        // attacker, credits it nothing, and flags no honest node.
        var snap = RunPeer.Union(run.Peers);
        var audit = LedgerAuditor.Audit(snap);
        Assert.True(audit.Valid, string.Join("\n", audit.Findings));
        var (contributors, _) = ContributorReport.Build(snap, audit);
        var liar = contributors.Single(c => c.Author == run.Peers[AttackerIndex].AuthorHex);
        Assert.Equal(Spec.Rounds, liar.Flags[ContributorReport.FlagJudgedHarmful]);
        Assert.Equal(0UL, liar.CreditedSamples);
        Assert.All(contributors.Where(c => c != liar), c => Assert.Empty(c.Flags));
        // Delivery here is immediate: every honest aggregation cited every attestation the ledgers hold about its inputs.
        Assert.All(contributors.Where(c => c != liar), c => Assert.Empty(c.Anomalies));
    }

    [Fact]
    public async Task WithoutJudgingNothingIsAttestedAndAggregationsStayVersionOne()
    {
        using var run = new InProcessRun(3, Spec with { JudgeSamples = 0, MinNodes = 3 });
        await run.RunAllAsync(TimeSpan.FromSeconds(120));
        Assert.DoesNotContain(run.Peers.SelectMany(p => p.Own()), e => e.Kind == EntryKind.Attestation);
        Assert.All(run.Peers.SelectMany(p => p.Own()).Where(e => e.Kind == EntryKind.Aggregation), e => Assert.Equal(1, e.Entry.Version));
    }
}
