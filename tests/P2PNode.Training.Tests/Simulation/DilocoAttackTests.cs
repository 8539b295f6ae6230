using P2PNode.Training.Byzantine;
using P2PNode.Training.Simulation;
using Xunit;

namespace P2PNode.Training.Tests.Simulation;

/// <summary>Attackers in the in-process simulation, and the simulated judging that excludes them (docs/robustness.md).</summary>
public sealed class DilocoAttackTests
{
    private static DilocoOptions Attacked(AttackMode mode) =>
        DilocoSimulationTests.Options("topk:0.25+int8/16", workers: 4) with { Byzantine = new Dictionary<int, AttackMode> { [3] = mode } };

    [Fact]
    public void Judging_excludes_a_scaling_attacker_every_round_and_no_honest_worker_on_iid_data()
    {
        var o = Attacked(AttackMode.Scale);
        var undefended = DilocoSimulation.Run(DilocoSimulationTests.Train, DilocoSimulationTests.Test, o);
        var judged = DilocoSimulation.Run(DilocoSimulationTests.Train, DilocoSimulationTests.Test, o with { Judge = new JudgeOptions { Samples = 64 } });
        Assert.All(judged.Rounds, r => Assert.Equal([3], r.Excluded!.Order()));
        Assert.All(undefended.Rounds, r => Assert.Null(r.Excluded));
        Assert.True(judged.TestLoss < undefended.TestLoss, $"judged {judged.TestLoss} vs undefended {undefended.TestLoss}");
    }

    [Fact]
    public void A_signflip_attacker_changes_the_shared_model_and_raises_its_loss()
    {
        var honest = DilocoSimulation.Run(DilocoSimulationTests.Train, DilocoSimulationTests.Test, DilocoSimulationTests.Options("topk:0.25+int8/16", workers: 4));
        var flipped = DilocoSimulation.Run(DilocoSimulationTests.Train, DilocoSimulationTests.Test, Attacked(AttackMode.SignFlip));
        Assert.NotEqual(honest.ModelHash, flipped.ModelHash);
        Assert.True(flipped.TestLoss > honest.TestLoss, $"signflip {flipped.TestLoss} vs honest {honest.TestLoss}");
    }
}
