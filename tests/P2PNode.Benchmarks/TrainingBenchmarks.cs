using System.Diagnostics;
using System.Globalization;
using P2PNode.Training.Data;
using P2PNode.Training.Models;
using P2PNode.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Benchmarks;

/// <summary>
/// Training throughput, as ratios to a baseline measured in the same run:
/// baseline = a bare TorchSharp loop (pre-built batch tensors, AdamW, one dispose scope per step) on the default
/// CNN; then LocalTrainer on the same model (gathering batches from arrays, scheduling, guards), and the cost of
/// the state operations a DiLoCo round adds (GetFlat, SetFlat, ModelHash, checkpoint) expressed in training steps.
/// Entry point for the benchmark program: <c>TrainingBenchmarks.Run(Console.Out)</c>.
/// </summary>
public static class TrainingBenchmarks
{
    public static void Run(TextWriter output, int steps = 60, int batch = 64)
    {
        var spec = ModelSpec.Cnn();
        var data = SyntheticData.Classification(batch * 16, 10, [1, 28, 28], seed: 1);
        torch.manual_seed(1);

        double baseline;
        using (var model = ModelFactory.Create(spec, 1))
        using (var opt = optim.AdamW(model.parameters(), 1e-3))
        using (var x = torch.randn(batch, 1, 28, 28))
        using (var y = torch.randint(0, 10, [batch], dtype: ScalarType.Int64))
        {
            void Step()
            {
                using var scope = torch.NewDisposeScope();
                opt.zero_grad();
                nn.functional.cross_entropy(model.forward(x), y).backward();
                opt.step();
            }
            baseline = Time(steps, Step, warmup: 3) * steps;
        }

        var task = new ClassificationTask(data, Enumerable.Range(0, data.Count).ToArray(), [0], seed: 1);
        using var trainer = new LocalTrainer(spec, 1, task, new TrainerOptions { BatchSize = batch, Device = "cpu" });
        trainer.TrainSteps(3); // warm-up: allocator, AdamW state
        var clock = Stopwatch.StartNew();
        trainer.TrainSteps(steps);
        var trainerSeconds = clock.Elapsed.TotalSeconds;
        var stepSeconds = trainerSeconds / steps;

        var flat = trainer.GetFlat();
        var get = Time(10, () => trainer.GetFlat());
        var set = Time(10, () => trainer.SetFlat(flat));
        var hash = Time(10, () => trainer.ModelHash());
        var save = Time(10, () => trainer.SaveCheckpoint(Stream.Null));

        string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        output.WriteLine($"training: {spec.Canonical}, {trainer.ParameterCount:N0} parameters, batch {batch}, {steps} steps, {torch.get_num_threads()} torch threads");
        output.WriteLine($"  baseline bare TorchSharp loop   {batch * steps / baseline:0} samples/s   ratio 1.000");
        output.WriteLine($"  LocalTrainer.TrainSteps         {batch * steps / trainerSeconds:0} samples/s   ratio {F(baseline / trainerSeconds)}");
        output.WriteLine($"  GetFlat                         {F(get / stepSeconds)} training steps");
        output.WriteLine($"  SetFlat                         {F(set / stepSeconds)} training steps");
        output.WriteLine($"  ModelHash                       {F(hash / stepSeconds)} training steps");
        output.WriteLine($"  SaveCheckpoint                  {F(save / stepSeconds)} training steps");
    }

    /// <summary>Mean seconds per call over <paramref name="repeats"/> calls, after <paramref name="warmup"/> unmeasured ones.</summary>
    private static double Time(int repeats, Action action, int warmup = 1)
    {
        for (var i = 0; i < warmup; i++) action();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++) action();
        return clock.Elapsed.TotalSeconds / repeats;
    }
}
