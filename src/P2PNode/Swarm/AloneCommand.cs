using System.Diagnostics;
using System.Text.Json.Nodes;
using P2PNode.Cli.Commands;
using P2PNode.Metrics;
using P2PNode.Training.Data;
using P2PNode.Training.Runtime;
using P2PNode.Training.Simulation;
using P2PNode.Training.Trainer;

namespace P2PNode.Cli.Swarm;

/// <summary>
/// `p2pnode swarm alone --shard I/N --split S --spec JSON [--curve-every K] [corpus flags]`: one node training on its
/// own shard (or corpus) with no network, the same steps, optimizer and schedule as in the run. The swarm starts N of
/// these side by side (the same CPU sharing as the swarm itself), for two baselines: each node's accuracy (or bits per
/// byte) alone, and training throughput with no network. Language models also score their held-out text every K
/// rounds' worth of steps: the learning curve that shows whether training alone has stopped improving. Prints one
/// JSON line.
/// </summary>
internal static class AloneCommand
{
    public static int Run(Args a)
    {
        var shardText = a.Require("shard");
        var split = DataSplit.Parse(a.Require("split"));
        var spec = RunSpec.FromJson(a.Require("spec"));
        var data = a.Get("data");
        var corpus = a.Get("corpus");
        var lm = LmDataFlags.Read(a) ?? new Training.Participation.LmDataOptions();
        var curveEvery = a.GetInt("curve-every", 1) ?? 4;
        a.EnsureAllUsed(maxPositional: 1);
        var parts = shardText.Split('/');
        var (index, count) = (int.Parse(parts[0]), int.Parse(parts[1]));
        TorchSharp.torch.set_num_threads(1);
        TrainingTask task;
        if (corpus is not null)
            task = LanguageModelData.Load(spec.ModelSpec(), lm.With(corpus, new Config.TrainingSection()), spec.Seed * 1000 + index);
        else
        {
            var train = FashionMnist.Load("train", data);
            var test = FashionMnist.Load("t10k", data);
            var shard = split.Partition(train.Labels, train.Classes, count, spec.Seed)[index];
            var testIndices = Enumerable.Range(0, test.Count).ToArray();
            task = new ClassificationTask(train, shard.Train, test, testIndices, spec.Seed * 1000 + index);
        }
        using var trainer = new LocalTrainer(spec.ModelSpec(), spec.Seed, task, spec.Trainer("cpu") with { MaxEvalSamples = null });
        var steps = spec.InnerSteps * spec.Rounds;
        var clock = Stopwatch.StartNew();
        double trainSeconds = 0;
        long samples = 0;
        var curve = new JsonArray();
        for (var done = 0; done < steps;)
        {
            var n = Math.Min(spec.InnerSteps, steps - done);
            var stats = trainer.TrainSteps(n);
            samples += stats.Samples;
            trainSeconds += stats.Seconds;
            done += n;
            var round = done / spec.InnerSteps - 1;
            if (corpus is not null && ((round + 1) % curveEvery == 0 || done == steps))
                curve.Add(new JsonObject { ["round"] = round, ["steps"] = done, ["bits_per_byte"] = Math.Round(trainer.Evaluate().BitsPerByte!.Value, 5) });
        }
        var eval = trainer.Evaluate();
        Console.WriteLine(new JsonObject
        {
            ["event"] = "alone", ["shard"] = index, ["steps"] = steps, ["samples"] = samples, ["accuracy"] = eval.Accuracy, ["bits_per_byte"] = eval.BitsPerByte,
            ["loss"] = eval.Loss, ["samples_per_s"] = samples / Math.Max(1e-9, trainSeconds), ["seconds"] = clock.Elapsed.TotalSeconds,
            ["curve"] = corpus is null ? null : curve, ["peak_rss_bytes"] = ProcessMemory.PeakResidentBytes(),
        }.ToJsonString());
        return 0;
    }
}
