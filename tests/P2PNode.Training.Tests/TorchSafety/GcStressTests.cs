using System.Diagnostics;
using P2PNode.Training.Models;
using P2PNode.Training.Trainer;
using Xunit.Abstractions;

namespace P2PNode.Training.Tests.TorchSafety;

/// <summary>
/// The whole training path (forward, backward, gradient clipping, InnerAdamW, evaluation, flat state round trips)
/// while another thread forces full collections and runs finalizers non-stop. A Scalar or Tensor that TorchSharp
/// makes and nothing holds would be finalized while libtorch reads it and abort the test host; ScalarSafetyTests
/// keeps such code out, this checks the result at run time.
/// </summary>
[Collection("torch")]
public sealed class GcStressTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("cnn", 40, 10)]
    [InlineData("mlp", 250, 10)]
    [InlineData("lm", 25, 10)]
    public void TrainingSurvivesConstantGarbageCollection(string kind, int rounds, int stepsPerRound)
    {
        // The cnn case once turned parameters into NaN now and then: libtorch's oneDNN convolution backward, which
        // CpuConvolution now switches off (ConvolutionGradientTests pins it).
        var spec = kind switch { "cnn" => TestModels.TinyCnn, "mlp" => TestModels.TinyMlp, _ => TestModels.TinyLm };
        var options = new TrainerOptions { BatchSize = 16, LearningRate = 3e-3, GradientClip = 1.0, MaxEvalSamples = 64, EvalBatchSize = 32, Device = "cpu" };
        using var trainer = TestModels.Trainer(spec, seed: 7, options: options);
        var start = trainer.GetFlat();
        var losses = new List<double>();
        var gcBefore = GC.CollectionCount(2);
        var clock = Stopwatch.StartNew();
        var stop = 0;
        var collections = 0;
        var collector = new Thread(() =>
        {
            while (Volatile.Read(ref stop) == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }
        }) { IsBackground = true, Name = "gc-stress" };
        collector.Start();
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                var stats = trainer.TrainSteps(stepsPerRound);
                losses.Add(stats.MeanLoss);
                losses.Add(stats.LastLoss);
                losses.Add(trainer.Evaluate().Loss);
                var flat = trainer.GetFlat();
                trainer.SetFlat(flat);
                Assert.Equal(flat, trainer.GetFlat());
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            collector.Join();
        }
        output.WriteLine($"{kind}: {rounds * stepsPerRound} steps, {rounds} evaluations in {clock.Elapsed.TotalSeconds:F1} s under {collections} forced collections");
        Assert.All(losses, l => Assert.True(double.IsFinite(l), $"loss {l}"));
        Assert.True(collections >= rounds, $"only {collections} forced collections ran alongside training");
        Assert.True(GC.CollectionCount(2) - gcBefore >= collections);
        var end = trainer.GetFlat();
        Assert.True(start.Zip(end).Count(p => p.First != p.Second) > start.Length / 2, "training did not move the parameters");
        Assert.Equal(rounds * stepsPerRound, trainer.StepsDone);
    }
}
