using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PNode.Training.Data;
using P2PNode.Training.Models;
using P2PNode.Training.State;
using P2PNode.Training.Text;
using P2PNode.Training.Trainer;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode train --local`: the centralised baseline every decentralised run is compared with. Trains one model
/// on the whole training set (Fashion-MNIST for cnn/mlp, the text corpus for lm), evaluates on the test set
/// (held-out text for lm), prints the metrics on stdout and optionally writes them as JSON. Progress goes to stderr.
/// </summary>
public static class TrainCommand
{
    public const string Help = "train a model locally: the centralized baseline (--local)";

    internal const string Usage =
        "usage: p2pnode train --local [--model cnn|mlp|lm] [--epochs E] [--batch B] [--limit N] [--lr X] [--seed S]\n" +
        "                     [--device auto|cpu|cuda] [--threads T] [--data DIR] [--corpus PATH[:PATH...]] [--json out.json]\n" +
        "                     [--save CHECKPOINT] [language model: " + LmFlags.Usage + "]";

    public static async Task<int> RunAsync(Args args)
    {
        var options = Parse(args);
        // Training is CPU-bound and uses thread-static dispose scopes: give it its own thread, await only the result.
        return await Task.Factory.StartNew(() => Run(options), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private sealed record Options(string Model, int Epochs, int? Batch, int? Limit, double? Lr, long Seed, string Device, int? Threads, string? Data, string? Corpus, string? Json)
    {
        public ModelSpec? Lm { get; init; }
        public string? Save { get; init; }
    }

    private static Options Parse(Args args)
    {
        if (!args.Flag("local")) throw new UsageException("only --local (the centralized baseline) is available; decentralized training runs in the node\n" + Usage);
        var model = (args.Get("model") ?? "cnn").ToLowerInvariant();
        if (model is not ("cnn" or "mlp" or "lm")) throw new UsageException($"--model must be cnn, mlp or lm, got '{model}'");
        var o = new Options(
            model,
            args.GetInt("epochs", 1, 1000) ?? 1,
            args.GetInt("batch", 1, 1 << 16),
            args.GetInt("limit", 1),
            args.GetDouble("lr"),
            args.GetInt("seed", 0) ?? 1,
            args.Get("device") ?? "auto",
            args.GetInt("threads", 1, 1024),
            args.Get("data"),
            args.Get("corpus"),
            args.Get("json")) { Lm = LmFlags.Read(args), Save = args.Get("save") };
        if (o.Lm is not null && model != "lm") throw new UsageException("the language-model flags (--preset, --layers, ...) need --model lm");
        if (o.Lr is { } lr && !(lr > 0)) throw new UsageException($"--lr must be > 0, got {lr}");
        args.EnsureAllUsed();
        return o;
    }

    private static int Run(Options o)
    {
        try
        {
            if (o.Threads is { } t) TorchSharp.torch.set_num_threads(t);
            var total = Stopwatch.StartNew();
            var spec = o.Lm ?? ModelSpec.ForName(o.Model);
            var (task, trainOptions, what) = o.Model == "lm" ? TextTask(o, spec) : ImageTask(o);
            // A fixed-length run: cosine decay over exactly the planned steps (ceil(samples / batch) per epoch).
            var steps = o.Epochs * ((task.EpochSamples + trainOptions.BatchSize - 1) / trainOptions.BatchSize);
            trainOptions = trainOptions with { ScheduleSteps = steps, WarmupSteps = (int)Math.Min(trainOptions.WarmupSteps, steps / 20) };
            using var trainer = new LocalTrainer(spec, o.Seed, task, trainOptions);
            Console.Error.WriteLine($"train: {spec.Canonical}, {trainer.ParameterCount:N0} parameters, {what}, device {trainer.Device}, {o.Epochs} epoch(s) = {steps} steps of {trainOptions.BatchSize}");

            var progress = new ProgressBar(steps);
            double trainSeconds = 0, lossSum = 0;
            long samples = 0, done = 0;
            var chunk = Math.Max(1, steps / 200);
            while (done < steps)
            {
                var n = (int)Math.Min(chunk, steps - done);
                var s = trainer.TrainSteps(n);
                done += n;
                trainSeconds += s.Seconds;
                samples += s.Samples;
                lossSum += s.MeanLoss * s.Samples;
                progress.Report(done, s.LastLoss, samples / trainSeconds);
            }
            progress.Finish();
            var eval = trainer.Evaluate();
            var hash = Convert.ToHexStringLower(trainer.ModelHash());
            if (o.Save is not null)
            {
                using var f = File.Create(o.Save);
                trainer.SaveCheckpoint(f);
            }
            var report = new JsonObject
            {
                ["model"] = o.Model,
                ["spec"] = spec.Canonical,
                ["parameters"] = trainer.ParameterCount,
                ["device"] = trainer.Device.ToString(),
                ["seed"] = o.Seed,
                ["epochs"] = o.Epochs,
                ["batch"] = trainOptions.BatchSize,
                ["learning_rate"] = trainOptions.LearningRate,
                ["steps"] = steps,
                ["train_samples"] = task.EpochSamples,
                ["test_samples"] = eval.Samples,
                ["train_loss"] = samples > 0 ? lossSum / samples : null,
                ["test_loss"] = eval.Loss,
                ["test_accuracy"] = eval.Accuracy,
                ["test_bits_per_byte"] = eval.BitsPerByte,
                ["samples_per_second"] = samples / trainSeconds,
                ["train_seconds"] = trainSeconds,
                ["seconds"] = total.Elapsed.TotalSeconds,
                ["model_hash"] = hash,
            };
            foreach (var (key, value) in report)
                if (value is not null) Console.WriteLine($"{key,-20} {Format(value)}");
            if (o.Json is not null)
                File.WriteAllText(o.Json, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            return 0;
        }
        catch (Exception e) when (e is DatasetFormatException or CheckpointException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"p2pnode train: {e.Message}");
            return 2;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"p2pnode train: {e.Message}");
            return 1;
        }
    }

    private static (TrainingTask, TrainerOptions, string) ImageTask(Options o)
    {
        var train = FashionMnist.Load("train", o.Data);
        var test = FashionMnist.Load("t10k", o.Data);
        if (o.Limit is { } limit) train = train.Take(limit);
        var options = new TrainerOptions { BatchSize = o.Batch ?? 64, LearningRate = o.Lr ?? 2e-3, WarmupSteps = 50, Device = o.Device };
        return (ClassificationTask.Centralized(train, test, o.Seed), options, $"Fashion-MNIST {train.Count} train / {test.Count} test images");
    }

    private static (TrainingTask, TrainerOptions, string) TextTask(Options o, ModelSpec spec)
    {
        // Default: the Debian Reference's plain text in every language installed (debian-reference-* packages).
        var paths = o.Corpus?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            ?? [.. Swarm.SwarmOptions.DefaultLanguages.Select(Swarm.SwarmOptions.DebianReference).Where(File.Exists)];
        if (paths.Length == 0)
            throw new ArgumentException("no text corpus: pass --corpus PATH[:PATH...] (files or folders of .txt/.md/.html/.jsonl, optionally .gz), or install debian-reference-* translations");
        var tokenizer = LanguageModelData.Tokenizer(spec);
        // --limit N keeps about N training windows: the first N·context bytes of the training part.
        var corpus = TokenizedCorpus.Build(new CorpusReader(paths), tokenizer, 0.1, o.Limit is { } limit ? (long)limit * spec.Context : null,
            Path.Combine(Path.GetTempPath(), "p2pnode-tokens"), minimumTokens: spec.Context + 1);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => corpus.Dispose();
        var options = new TrainerOptions { BatchSize = o.Batch ?? 32, LearningRate = o.Lr ?? 2e-3, WarmupSteps = 100, Beta2 = 0.95, GradientClip = 1.0, Device = o.Device, EvalBatchSize = 32 };
        return (new LanguageModelTask(corpus.Train, corpus.HeldOut, tokenizer, spec.Context, o.Seed), options,
            $"text corpus {corpus.FileCount} files, {corpus.TrainBytes:N0} train / {corpus.HeldOutBytes:N0} held-out bytes, tokenizer {tokenizer}, {corpus.Train.Length:N0} training tokens");
    }

    private static string Format(JsonNode node) =>
        node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<double>(out var d) && d != Math.Floor(d)
            ? d.ToString("0.####", CultureInfo.InvariantCulture)
            : node.ToJsonString().Trim('"');

    /// <summary>
    /// A one-line progress bar on stderr, redrawn in place on a terminal; when stderr is redirected (logs, CI) it
    /// prints a plain line every 10% instead, so logs stay readable.
    /// </summary>
    private sealed class ProgressBar(long total)
    {
        private readonly bool _interactive = !Console.IsErrorRedirected;
        private int _lastDecile = -1;

        public void Report(long done, double loss, double samplesPerSecond)
        {
            var fraction = total > 0 ? (double)done / total : 1;
            var text = string.Create(CultureInfo.InvariantCulture, $"{done}/{total} steps  loss {loss:0.0000}  {samplesPerSecond:0} samples/s");
            if (_interactive)
            {
                const int width = 30;
                var filled = (int)(fraction * width);
                Console.Error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,5:0.0}%  {text}   ");
                return;
            }
            var decile = (int)(fraction * 10);
            if (decile == _lastDecile) return;
            _lastDecile = decile;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fraction * 100,5:0}%  {text}"));
        }

        public void Finish()
        {
            if (_interactive) Console.Error.WriteLine();
        }
    }
}
