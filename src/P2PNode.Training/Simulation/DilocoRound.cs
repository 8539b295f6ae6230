using P2PNode.Aggregation;
namespace P2PNode.Training.Simulation;

/// <summary>
/// One outer round: mean inner training loss over the workers, total payload bytes sent this round (all workers),
/// the model hash after the outer step, and the test metrics when this round was evaluated.
/// </summary>
public sealed record DilocoRound(int Round, double TrainLoss, long PayloadBytes, string ModelHash, double? TestLoss, double? TestAccuracy,
    IReadOnlyList<ContributionRejection>? Rejected = null, JudgedRound? Judged = null)
{
    /// <summary>Workers judged out of this round (null: no judging).</summary>
    public IReadOnlySet<int>? Excluded => Judged?.Excluded;
}
