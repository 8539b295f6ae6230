using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PNode.Aggregation;
using P2PNode.Compression;
using P2PNode.Training.Data;
using P2PNode.Training.Models;
using P2PNode.Training.Simulation;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode diloco`: the in-process DiLoCo simulation on Fashion-MNIST (docs/diloco.md). Prints final accuracy,
/// bytes sent per worker, the centralized baseline at the same number of samples and what a dense fp32 ring
/// all-reduce every step would have sent.
/// </summary>
public static class SimDilocoCommand
{
    public const string Help = "simulate DiLoCo with N workers in one process (accuracy vs bytes)";

    internal const string Usage =
        "usage: p2pnode diloco --workers N --split iid|dirichlet:A|classes:K --inner-steps H --codec SPEC --rounds R\n" +
        "                      [--samples-per-worker S] [--seed S] [--model cnn|mlp] [--batch B] [--lr X] [--warmup W]\n" +
        "                      [--outer-lr X] [--outer-lr-final X] [--outer-momentum M] [--eval-every K] [--no-baseline]\n" +
        "                      [--threads T] [--data DIR] [--json out.json]\n" +
        "                      [--byzantine I:MODE,...] [--norm-outlier K] [--min-cosine C] [--max-pair-cosine C] [--clip-median K] [--trim F] [--cap-samples]\n" +
        "                      [--judge-samples N] [--judge-step X]";

    public static async Task<int> RunAsync(Args args)
    {
        if (args.Get("model") == "lm") return await Task.Factory.StartNew(() => LanguageModelDiloco.Run(args), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var (options, baseline, threads, data, json) = Parse(args);
        return await Task.Factory.StartNew(() => Run(options, baseline, threads, data, json), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static (DilocoOptions, bool, int, string?, string?) Parse(Args args)
    {
        DilocoOptions o;
        try
        {
            var model = (args.Get("model") ?? "cnn").ToLowerInvariant();
            if (model is not ("cnn" or "mlp")) throw new UsageException($"--model must be cnn or mlp, got '{model}'");
            var outerDefaults = new OuterOptimizerOptions();
            o = new DilocoOptions
            {
                Workers = args.GetInt("workers", 1, 1024) ?? throw new UsageException("--workers is required\n" + Usage),
                Split = DataSplit.Parse(args.Require("split")),
                InnerSteps = args.GetInt("inner-steps", 1) ?? throw new UsageException("--inner-steps is required\n" + Usage),
                Rounds = args.GetInt("rounds", 1) ?? throw new UsageException("--rounds is required\n" + Usage),
                Codec = DeltaCodecSpec.Parse(args.Require("codec")),
                SamplesPerWorker = args.GetInt("samples-per-worker", 1),
                Seed = args.GetInt("seed", 0) ?? 1,
                Model = ModelSpec.ForName(model),
                BatchSize = args.GetInt("batch", 1, 1 << 16) ?? 64,
                InnerLearningRate = args.GetDouble("lr") ?? 2e-3,
                WarmupSteps = args.GetInt("warmup", 0),
                EvalEvery = args.GetInt("eval-every", 0) ?? 0,
                OuterLearningRateFinal = args.GetDouble("outer-lr-final") is { } final ? (float)final : null,
                Outer = outerDefaults with
                {
                    LearningRate = (float)(args.GetDouble("outer-lr") ?? outerDefaults.LearningRate),
                    Momentum = (float)(args.GetDouble("outer-momentum") ?? outerDefaults.Momentum),
                },
            };
            o = o with { Byzantine = args.Get("byzantine") is { } b ? Training.Byzantine.AttackModes.ParseList(b, o.Workers) : o.Byzantine, Aggregation = Defences(args, o),
                Judge = args.GetInt("judge-samples", 1) is { } judged ? new JudgeOptions { Samples = judged, StepScale = args.GetDouble("judge-step") ?? 1.0 } : null };
            o.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new UsageException(e.Message);
        }
        var baseline = !args.Flag("no-baseline");
        var threads = args.GetInt("threads", 1, 1024) ?? 1;
        var data = args.Get("data");
        var json = args.Get("json");
        args.EnsureAllUsed();
        return (o, baseline, threads, data, json);
    }

    // The defences measured against the attacks (docs/robustness.md): the node's norm-outlier rule, clipping to a multiple
    // of the round's median norm, a coordinate-wise trimmed mean, and the sample claim capped at H × batch.
    private static AggregationPolicy Defences(Args args, DilocoOptions o) => new()
    {
        NormOutlierMultiple = args.GetDouble("norm-outlier"),
        MinCosineToOthers = args.GetDouble("min-cosine"),
        MaxPairCosine = args.GetDouble("max-pair-cosine"),
        Combination = new AggregationOptions
        {
            MedianNormMultiple = args.GetDouble("clip-median"),
            TrimFraction = args.GetDouble("trim") ?? 0,
            MaxSamples = args.Flag("cap-samples") ? (long)o.InnerSteps * o.BatchSize : null,
        },
    };

    private static int Run(DilocoOptions o, bool baseline, int threads, string? data, string? json)
    {
        try
        {
            TorchSharp.torch.set_num_threads(threads);
            var train = FashionMnist.Load("train", data);
            var test = FashionMnist.Load("t10k", data);
            Console.Error.WriteLine(FormattableString.Invariant(
                $"diloco: {o.Workers} workers, split {o.Split}, H={o.InnerSteps}, R={o.Rounds}, codec {o.Codec}, outer lr {o.Outer.LearningRate}{(o.OuterLearningRateFinal is { } f ? " cosine to " + f.ToString(CultureInfo.InvariantCulture) : "")} momentum {o.Outer.Momentum}, {threads} torch thread(s)"));
            var r = DilocoSimulation.Run(train, test, o, line => Console.Error.WriteLine("  " + line));

            var report = new JsonObject
            {
                ["workers"] = o.Workers,
                ["split"] = o.Split.ToString(),
                ["inner_steps"] = o.InnerSteps,
                ["rounds"] = o.Rounds,
                ["codec"] = o.Codec.ToString(),
                ["outer_lr"] = o.Outer.LearningRate,
                ["outer_lr_final"] = o.OuterLearningRateFinal,
                ["outer_momentum"] = o.Outer.Momentum,
                ["inner_lr"] = o.InnerLearningRate,
                ["batch"] = o.BatchSize,
                ["seed"] = o.Seed,
                ["spec"] = o.Model.Canonical,
                ["parameters"] = r.Parameters,
                ["shard_sizes"] = new JsonArray([.. r.ShardSizes.Select(s => (JsonNode)s)]),
                ["total_samples"] = r.TotalSamples,
                ["steps_per_worker"] = r.StepsPerWorker,
                ["test_loss"] = r.TestLoss,
                ["test_accuracy"] = r.TestAccuracy,
                ["bytes_per_worker"] = r.MeanBytesPerWorker,
                ["bytes_per_worker_max"] = r.BytesSentPerWorker.Max(),
                ["dense_allreduce_bytes_per_worker"] = r.DenseAllReduceBytesPerWorker,
                ["reduction_vs_allreduce"] = r.DenseAllReduceBytesPerWorker / r.MeanBytesPerWorker,
                ["model_hash"] = r.ModelHash,
                ["byzantine"] = string.Join(",", o.Byzantine.OrderBy(b => b.Key).Select(b => $"{b.Key}:{Training.Byzantine.AttackModes.Name(b.Value)}")),
                ["defences"] = $"norm-outlier {o.Aggregation.NormOutlierMultiple?.ToString(CultureInfo.InvariantCulture) ?? "off"}, min-cosine {o.Aggregation.MinCosineToOthers?.ToString(CultureInfo.InvariantCulture) ?? "off"}, max-pair-cosine {o.Aggregation.MaxPairCosine?.ToString(CultureInfo.InvariantCulture) ?? "off"}, clip-median {o.Aggregation.Combination.MedianNormMultiple?.ToString(CultureInfo.InvariantCulture) ?? "off"}, trim {o.Aggregation.Combination.TrimFraction.ToString(CultureInfo.InvariantCulture)}, sample cap {o.Aggregation.Combination.MaxSamples?.ToString(CultureInfo.InvariantCulture) ?? "off"}",
                ["rejected"] = r.Rounds.Sum(x => x.Rejected?.Count ?? 0),
                ["rejected_honest"] = r.Rounds.Sum(x => x.Rejected?.Count(j => !o.Byzantine.ContainsKey(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(j.ContributorId))) ?? 0),
                ["judged_out_attackers"] = r.Rounds.Sum(x => x.Excluded?.Count(o.Byzantine.ContainsKey) ?? 0),
                ["judged_out_honest"] = r.Rounds.Sum(x => x.Excluded?.Count(w => !o.Byzantine.ContainsKey(w)) ?? 0),
                ["seconds"] = r.Seconds,
                // Every judge's loss change for every author, per round ([judge][author], 0 on the diagonal): what the
                // exclusions were decided from, kept so other rules can be scored on the same runs (docs/robustness.md).
                ["judge_loss_change_by_round"] = o.Judge is null ? null : new JsonArray([.. r.Rounds.Select(x => (JsonNode)Matrix(x.Judged!.LossChange))]),
                // Each worker's cosine with the rest of its round (the opposed rule's measure), per round: [worker] (null: none).
                ["cosine_by_round"] = new JsonArray([.. r.Rounds.Select(x => (JsonNode)new JsonArray([.. Enumerable.Range(0, o.Workers)
                    .Select(w => x.Cosines.TryGetValue(w, out var c) && double.IsFinite(c) ? (JsonNode?)Math.Round(c, 5) : null)]))]),
                ["accuracy_by_round"] = new JsonObject(r.Rounds.Where(x => x.TestAccuracy is not null)
                    .Select(x => KeyValuePair.Create(x.Round.ToString(CultureInfo.InvariantCulture), (JsonNode?)x.TestAccuracy))),
            };
            if (baseline)
            {
                var steps = (long)o.Workers * o.InnerSteps * o.Rounds;
                Console.Error.WriteLine($"centralized baseline: {steps} steps of {o.BatchSize} on all {train.Count} training images");
                var (eval, samples, hash) = CentralizedBaseline.Run(train, test, o.Model, o.Seed, steps, o.BatchSize, o.InnerLearningRate, o.Device);
                report["centralized_steps"] = steps;
                report["centralized_samples"] = samples;
                report["centralized_test_accuracy"] = eval.Accuracy;
                report["centralized_test_loss"] = eval.Loss;
                report["accuracy_gap_points"] = (eval.Accuracy - r.TestAccuracy) * 100;
            }
            foreach (var (key, value) in report)
                if (value is not null and not JsonArray and not JsonObject) Console.WriteLine($"{key,-34} {Format(value)}");
            if (json is not null)
                File.WriteAllText(json, report.ToJsonString(new JsonSerializerOptions
                {
                    WriteIndented = true,
                    Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a file, not HTML: keep '+' in codec specs readable
                }) + "\n");
            return 0;
        }
        catch (Exception e) when (e is DatasetFormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"p2pnode diloco: {e.Message}");
            return 2;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"p2pnode diloco: {e.Message}");
            return 1;
        }
    }

    private static JsonArray Matrix(double[,] m) =>
        new([.. Enumerable.Range(0, m.GetLength(0)).Select(i => (JsonNode)new JsonArray([.. Enumerable.Range(0, m.GetLength(1)).Select(j => (JsonNode)m[i, j])]))]);

    private static string Format(JsonNode node) =>
        node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<double>(out var d) && d != Math.Floor(d)
            ? d.ToString("0.######", CultureInfo.InvariantCulture)
            : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() // not ToJsonString: it escapes '+' as \u002B
            : node.ToJsonString();
}
