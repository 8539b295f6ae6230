using P2PNode.Aggregation;
using P2PNode.Compression;
using P2PNode.Training.Data;
using P2PNode.Training.Simulation;

namespace P2PNode.Training.Tests.Simulation;

/// <summary>
/// The simulator's outputs pinned bit for bit on two small runs (a plain weighted mean, and a robust policy:
/// outlier rule, median-norm clipping, sample cap and a trimmed mean). Values taken from the loop as it was before it
/// moved onto RoundEngine (issue 13); a change here means the rounds no longer aggregate the same inputs in the same order.
/// </summary>
[Collection("torch")]
public sealed class DilocoSimulationPinTests
{
    private static readonly LabeledDataset Train = SyntheticData.Classification(600, classes: 4, sampleShape: [1, 8, 8], seed: 11, noise: 1.0);
    private static readonly LabeledDataset Test = SyntheticData.Classification(120, classes: 4, sampleShape: [1, 8, 8], seed: 11, noise: 1.0);

    private static DilocoOptions Options(int workers, string split, string codec) => new()
    {
        Workers = workers,
        Split = DataSplit.Parse(split),
        InnerSteps = 3,
        Rounds = 3,
        Codec = DeltaCodecSpec.Parse(codec),
        Model = TestModels.TinyMlp,
        BatchSize = 16,
        Seed = 5,
    };

    private static void AssertPinned(DilocoResult r, string[] roundHashes, long[] roundBytes, string testLoss)
    {
        Assert.Equal(roundHashes[^1], r.ModelHash);
        Assert.Equal(roundHashes, r.Rounds.Select(x => x.ModelHash));
        Assert.Equal(roundBytes, r.Rounds.Select(x => x.PayloadBytes));
        Assert.Equal(testLoss, r.TestLoss.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Weighted_mean_run_is_pinned()
    {
        var r = DilocoSimulation.Run(Train, Test, Options(3, "iid", "int8/16"));
        AssertPinned(r,
        [
            "510e76484aa44e4d5a2ae8d214fbee76cd2446ad46bc19e562d388518339f3ed",
            "31a26dd04bd1cb11ff51fe64de135daa1d2577cee39ade8e60775c5d9b30e195",
            "f45cbc5a945260eb6210fa758886d8dad8b9b41393c46ba593bc6dc145731b67",
        ], [8376, 8376, 8376], "0.8429646809895833");
    }

    [Fact]
    public void Robust_aggregation_run_is_pinned()
    {
        var o = Options(4, "dirichlet:0.5", "topk:0.3+int8/32") with
        {
            Aggregation = new AggregationPolicy
            {
                NormOutlierMultiple = 50,
                Combination = new AggregationOptions { MedianNormMultiple = 1.5, TrimFraction = 0.25, MaxSamples = 40 },
            },
        };
        var r = DilocoSimulation.Run(Train, Test, o);
        AssertPinned(r,
        [
            "73081da8b3e9590731ac4e9ddbce6f9ad68b14ddab304a4bb62cc70ad275a0c7",
            "7e8eb3999a73a9abe1adca7b41390da3f37d754e3e453e18bffdd9dcb70bd0c9",
            "69619a3264a2113f49584279b092a77e0d39ca8a0204aaac4571daff6fd3db98",
        ], [4196, 4196, 4196], "1.0925650278727213");
    }
}
