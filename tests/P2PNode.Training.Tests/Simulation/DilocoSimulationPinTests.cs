using P2PNode.Aggregation;
using P2PNode.Training.Simulation;
using static P2PNode.Training.Tests.Simulation.DilocoSimulationTests;

namespace P2PNode.Training.Tests.Simulation;

/// <summary>
/// The simulator's outputs pinned bit for bit on two small runs (a plain weighted mean, and a robust policy:
/// outlier rule, median-norm clipping, sample cap and a trimmed mean): every round's model hash (the last is the
/// result's), every round's payload bytes and the final test loss. Values taken from the loop as it was before it
/// moved onto RoundEngine (issue 13); a change here means the rounds no longer aggregate the same inputs in the same order.
/// </summary>
[Collection("torch")]
public sealed class DilocoSimulationPinTests
{
    private static void AssertPinned(DilocoOptions o, string[] roundHashes, long[] roundBytes, string testLoss)
    {
        var r = DilocoSimulation.Run(Train, Test, o with { InnerSteps = 3, Rounds = 3, Seed = 5 });
        Assert.Equal(roundHashes[^1], r.ModelHash);
        Assert.Equal(roundHashes, r.Rounds.Select(x => x.ModelHash));
        Assert.Equal(roundBytes, r.Rounds.Select(x => x.PayloadBytes));
        Assert.Equal(testLoss, r.TestLoss.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Weighted_mean_run_is_pinned() => AssertPinned(Options("int8/16"),
        [
            "41f076dc2a9c9b66d8f93e276e6565fe314de2a958a4fdb5a0dcf3d6130701e9",
            "52ba2fbb53a5471b9f1171c358024630f025828076b5f9c14def6ccb428d33b9",
            "b17605b06f4e928f2ad766d1cee3185755e17c1b76a64ba71cf15ed5b5e1348a",
        ], [8376, 8376, 8376], "0.8348141479492187");

    [Fact]
    public void Robust_aggregation_run_is_pinned() => AssertPinned(Options("topk:0.3+int8/32", workers: 4, split: "dirichlet:0.5") with
        {
            Aggregation = new AggregationPolicy
            {
                NormOutlierMultiple = 50,
                Combination = new AggregationOptions { MedianNormMultiple = 1.5, TrimFraction = 0.25, MaxSamples = 40 },
            },
        },
        [
            "16cfb1e95de795be7bd6862db69aaaa5c2dc300f3b5434c1b6da573c048d478e",
            "742d9a4032fffa3bed72075489015e7f757c8ca2b85846838d934b2e4e63c7ae",
            "640d27b83242dc1431e04207cb728a77127d4f824b675cad0db8a20b919ec10a",
        ], [4196, 4196, 4196], "1.059395523071289");
}
