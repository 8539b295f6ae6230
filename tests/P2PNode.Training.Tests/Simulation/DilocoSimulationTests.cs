using P2PNode.Aggregation;
using P2PNode.Compression;
using P2PNode.Training.Data;
using P2PNode.Training.Simulation;
using P2PNode.Training.State;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Tests.Simulation;

/// <summary>The in-process DiLoCo loop on Gaussian blobs with a tiny MLP: it learns, counts bytes honestly, and replays bit for bit.</summary>
[Collection("torch")]
public sealed class DilocoSimulationTests
{
    internal static readonly LabeledDataset Train = SyntheticData.Classification(900, classes: 4, sampleShape: [1, 8, 8], seed: 7, noise: 1.0);
    internal static readonly LabeledDataset Test = SyntheticData.Classification(200, classes: 4, sampleShape: [1, 8, 8], seed: 7, noise: 1.0);

    internal static DilocoOptions Options(string codec, int workers = 3, string split = "iid") => new()
    {
        Workers = workers,
        Split = DataSplit.Parse(split),
        InnerSteps = 4,
        Rounds = 5,
        Codec = DeltaCodecSpec.Parse(codec),
        Model = TestModels.TinyMlp,
        BatchSize = 16,
        Seed = 3,
    };

    private static (double Loss, double Accuracy) Initial(DilocoOptions o)
    {
        using var t = new LocalTrainer(o.Model, o.Seed, ClassificationTask.Centralized(Test, Test, o.Seed), new TrainerOptions { Device = "cpu" });
        var e = t.Evaluate();
        return (e.Loss, e.Accuracy!.Value);
    }

    [Fact]
    public void Training_improves_the_shared_model()
    {
        var o = Options("topk:0.25+int8/16");
        var before = Initial(o);
        var seen = new List<DilocoPayload>();
        var r = DilocoSimulation.Run(Train, Test, o, onPayload: seen.Add);
        Assert.True(r.TestLoss < 0.7 * before.Loss, $"test loss {r.TestLoss} vs {before.Loss} before");
        Assert.True(r.TestAccuracy > before.Accuracy + 0.2 && r.TestAccuracy > 0.6, $"accuracy {r.TestAccuracy} vs {before.Accuracy} before");
        // N·H·R·batch, less the short last batch of each pass over a shard (shards of 270 = 16·16 + 14).
        Assert.Equal(seen.Sum(p => p.Samples), r.TotalSamples);
        Assert.InRange(r.TotalSamples, 3L * 4 * 5 * 16 - 3 * 2 * 2, 3L * 4 * 5 * 16 - 1);
        Assert.Equal(20, r.StepsPerWorker);
    }

    [Fact]
    public void Bytes_counted_are_the_payload_lengths()
    {
        var o = Options("topk:0.1+int4/8", workers: 2, split: "classes:2");
        var seen = new List<DilocoPayload>();
        var r = DilocoSimulation.Run(Train, Test, o, onPayload: seen.Add);
        Assert.Equal(o.Rounds * o.Workers, seen.Count);
        for (var w = 0; w < o.Workers; w++)
            Assert.Equal(seen.Where(p => p.Worker == w).Sum(p => (long)p.Payload.Length), r.BytesSentPerWorker[w]);
        Assert.Equal(seen.Sum(p => (long)p.Payload.Length), r.Rounds.Sum(x => x.PayloadBytes));
        foreach (var p in seen)
        {
            var h = DeltaDecoder.ReadHeader(p.Payload);
            Assert.Equal(r.Parameters, h.ElementCount);
            Assert.Equal((int)Math.Ceiling(0.1 * r.Parameters), h.ValueCount);
        }
    }

    [Fact]
    public void Dense_int8_bytes_match_the_documented_size()
    {
        var o = Options("int8/64", workers: 2) with { Rounds = 2 };
        var r = DilocoSimulation.Run(Train, Test, o);
        var n = r.Parameters;
        var perRound = 24 + 4 * ((n + 63) / 64) + n; // docs/deltas.md §2.1: header + scales + one byte per value
        Assert.All(r.BytesSentPerWorker, b => Assert.Equal(2 * perRound, b));
        Assert.Equal(2.0 * (2 - 1) / 2 * 4 * n * 8, r.DenseAllReduceBytesPerWorker); // 8 steps per worker
    }

    [Fact]
    public void A_round_is_deterministic_and_replays_from_its_payloads()
    {
        var o = Options("topk:0.3+int8/32", split: "dirichlet:0.5");
        var seen = new List<DilocoPayload>();
        var a = DilocoSimulation.Run(Train, Test, o, onPayload: seen.Add);
        var b = DilocoSimulation.Run(Train, Test, o);
        Assert.Equal(a.ModelHash, b.ModelHash);
        Assert.Equal(a.Rounds.Select(x => x.ModelHash), b.Rounds.Select(x => x.ModelHash));
        Assert.Equal(a.Rounds.Count, a.Rounds.Select(x => x.ModelHash).Distinct().Count()); // every round moves θ

        // An auditor's replay of round 1 from the payloads alone, in reverse arrival order: same model hash.
        using var t = new LocalTrainer(o.Model, o.Seed, ClassificationTask.Centralized(Test, Test, o.Seed), new TrainerOptions { Device = "cpu" });
        var theta = t.GetFlat();
        var n = theta.Length;
        var round1 = seen.Where(p => p.Round == 1).Reverse()
            .Select(p => new DeltaContribution { ContributorId = DilocoSimulation.WorkerId(p.Worker), Samples = p.Samples, Delta = DeltaDecoder.Decode(p.Payload, n) })
            .ToList();
        var g = new float[n];
        Assert.Empty(o.Aggregation.Apply(round1, g).Rejected);
        new OuterOptimizer(n).Apply(theta, g);
        Assert.Equal(a.Rounds[0].ModelHash, Convert.ToHexStringLower(ModelHasher.Compute(o.Model.Canonical, t.Layout, theta)));
    }

    [Fact]
    public void Outer_lr_schedule_is_a_cosine_from_the_outer_lr_to_the_final_value()
    {
        var o = Options("int8/16") with { Rounds = 5, Outer = new OuterOptimizerOptions { LearningRate = 1.5f }, OuterLearningRateFinal = 0.5f };
        Assert.Equal(1.5f, o.OuterLearningRateAt(1));
        Assert.Equal((float)(0.5 + 1.0 * (1 + Math.Cos(Math.PI / 4)) / 2), o.OuterLearningRateAt(2));
        Assert.Equal(1.0f, o.OuterLearningRateAt(3), 6);
        Assert.Equal(0.5f, o.OuterLearningRateAt(5));
        Assert.All(Enumerable.Range(1, 5), r => Assert.Equal(1.5f, (o with { OuterLearningRateFinal = null }).OuterLearningRateAt(r)));
        Assert.Equal(1.5f, (o with { Rounds = 1 }).OuterLearningRateAt(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => o.OuterLearningRateAt(6));
        Assert.Throws<ArgumentException>(() => (o with { OuterLearningRateFinal = 0f }).Validate());
        Assert.Throws<ArgumentException>(() => (o with { OuterLearningRateFinal = float.PositiveInfinity }).Validate());
    }

    [Fact]
    public void A_schedule_ending_where_it_starts_changes_nothing_and_a_real_one_changes_every_round_after_the_first()
    {
        var o = Options("int8/16", workers: 2) with { Rounds = 3 };
        var plain = DilocoSimulation.Run(Train, Test, o);
        var flat = DilocoSimulation.Run(Train, Test, o with { OuterLearningRateFinal = o.Outer.LearningRate });
        Assert.Equal(plain.Rounds.Select(x => x.ModelHash), flat.Rounds.Select(x => x.ModelHash));
        var decayed = DilocoSimulation.Run(Train, Test, o with { OuterLearningRateFinal = 0.1f });
        Assert.Equal(plain.Rounds[0].ModelHash, decayed.Rounds[0].ModelHash); // round 1 uses the starting lr
        Assert.NotEqual(plain.Rounds[1].ModelHash, decayed.Rounds[1].ModelHash);
        Assert.NotEqual(plain.Rounds[2].ModelHash, decayed.Rounds[2].ModelHash);
    }

    [Fact]
    public void Workers_beyond_the_round_engine_author_width_are_refused()
    {
        var o = Options("int8/16", workers: DilocoOptions.MaxWorkers);
        o.Validate();
        Assert.Throws<ArgumentException>(() => (o with { Workers = DilocoOptions.MaxWorkers + 1 }).Validate());
    }
}
