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

    /// <summary>Worker → cosine of its delta with the sum of the others' directions (AggregationPolicy.CosinesToOthers),
    /// over the round's inputs after judging; empty with fewer than 3.</summary>
    public IReadOnlyDictionary<int, double> Cosines { get; init; } = new Dictionary<int, double>();
}
