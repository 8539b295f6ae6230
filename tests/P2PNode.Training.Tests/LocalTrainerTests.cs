using P2PNode.Training.Data;
using P2PNode.Training.Models;
using P2PNode.Training.Trainer;
using TorchSharp;

namespace P2PNode.Training.Tests;

[Collection("torch")]
public sealed class LocalTrainerTests
{
    [Theory]
    [InlineData("cnn")]
    [InlineData("mlp")]
    public void AClassifierLearnsTheSyntheticBlobs(string kind)
    {
        var spec = kind == "cnn" ? TestModels.TinyCnn : TestModels.TinyMlp;
        using var t = TestModels.Trainer(spec, options: new TrainerOptions { BatchSize = 32, LearningRate = 3e-3, Device = "cpu" });
        var before = t.Evaluate();
        var stats = t.TrainSteps(40);
        var after = t.Evaluate();
        Assert.Equal(40, stats.Steps);
        // 450 training samples: an epoch is 14 batches of 32 and one of 2, so 40 steps = 2 epochs + 10 batches.
        Assert.Equal(15, t.StepsPerEpoch);
        Assert.Equal(2 * 450 + 10 * 32, stats.Samples);
        Assert.True(stats.SamplesPerSecond > 0);
        Assert.Equal(150, after.Samples); // 25% of 600 held out
        Assert.Null(after.BitsPerByte);
        Assert.True(after.Loss < before.Loss * 0.7, $"loss {before.Loss} -> {after.Loss}");
        Assert.True(after.Accuracy > 0.8, $"accuracy {before.Accuracy} -> {after.Accuracy}");
        Assert.Equal(40, t.StepsDone);
    }

    [Fact]
    public void TheLmLearnsTheMarkovTextMeasuredInBitsPerByte()
    {
        using var t = TestModels.Trainer(TestModels.TinyLm, options: new TrainerOptions { BatchSize = 16, LearningRate = 3e-3, Beta2 = 0.95, GradientClip = 1.0, Device = "cpu" });
        var before = t.Evaluate();
        t.TrainSteps(120);
        var after = t.Evaluate();
        Assert.Null(after.Accuracy);
        Assert.InRange(before.BitsPerByte!.Value, 7.0, 9.0); // untrained: about log2(256) = 8
        Assert.True(after.BitsPerByte < 3.0, $"bits per byte {before.BitsPerByte} -> {after.BitsPerByte}");
        Assert.Equal(after.Loss / Math.Log(2), after.BitsPerByte!.Value, 9);
    }

    [Fact]
    public void OneStepChangesTheHashAndTwoNodesWithTheSameSeedStartIdentical()
    {
        using var a = TestModels.Trainer(TestModels.TinyMlp, seed: 3);
        using var b = TestModels.Trainer(TestModels.TinyMlp, seed: 3);
        var start = a.ModelHash();
        Assert.Equal(start, b.ModelHash());
        a.TrainSteps(1);
        Assert.NotEqual(start, a.ModelHash());
        // Same data order and same start: the same step on the CPU gives the same model.
        b.TrainSteps(1);
        Assert.Equal(a.ModelHash(), b.ModelHash());
    }

    [Fact]
    public void ADiLoCoRoundResetsToTheSharedModelAndYieldsAPseudoGradient()
    {
        using var t = TestModels.Trainer(TestModels.TinyCnn);
        var shared = t.GetFlat();
        t.TrainSteps(5);
        var local = t.GetFlat();
        var delta = shared.Zip(local, (s, l) => s - l).ToArray();
        Assert.Contains(delta, d => d != 0);
        t.SetFlat(shared);
        Assert.Equal(shared, t.GetFlat());
        t.TrainSteps(5); // the inner optimizer keeps its moments across rounds
        Assert.NotEqual(shared, t.GetFlat());
    }

    [Fact]
    public void LiveTensorCountStaysFlatOverManySteps()
    {
        using var t = TestModels.Trainer(TestModels.TinyLm, options: new TrainerOptions { BatchSize = 8, GradientClip = 1.0, Device = "cpu" });
        t.TrainSteps(3); // AdamW allocates its moment buffers on the first step
        t.Evaluate();
        t.GetFlat();
        // Flush tensors that earlier tests left to the finalizer: their finalization would lower the global count.
        // No collection at the end: a tensor leaked here must still be counted when we look.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var thread = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var global = torch.Tensor.TotalCount;
        for (var round = 0; round < 5; round++)
        {
            t.TrainSteps(10);
            t.Evaluate();
            t.SetFlat(t.GetFlat());
            t.ModelHash();
        }
        Assert.Equal(thread, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.Equal(global, torch.Tensor.TotalCount);
    }

    [Fact]
    public async Task ConcurrentUseIsRefused()
    {
        using var t = TestModels.Trainer(TestModels.TinyCnn);
        // A stalled test thread can miss a short run entirely (60 tiny steps take a fraction of a second): then the
        // attempt proves nothing and is retried with a longer run. A call that returns while the run is still
        // going is the bug, whatever the attempt.
        long expected = 0;
        for (var steps = 60; ; steps *= 4)
        {
            var (before, run) = (expected, steps);
            expected += run;
            var training = Task.Factory.StartNew(() => t.TrainSteps(run), TaskCreationOptions.LongRunning);
            SpinWait.SpinUntil(() => t.StepsDone > before || training.IsCompleted, TimeSpan.FromSeconds(30));
            InvalidOperationException? refused = null;
            try { t.GetFlat(); }
            catch (InvalidOperationException e) { refused = e; }
            var finished = training.IsCompleted;
            await training;
            if (refused is not null) break;
            Assert.True(finished, "GetFlat returned while TrainSteps was still running on another thread");
            Assert.True(steps < 3840, "every training run finished before the concurrent call could be tried");
        }
        Assert.Equal(expected, t.StepsDone);
    }

    [Fact]
    public void MismatchedTasksAndOptionsAreRefused()
    {
        Assert.Contains("language-model task", Assert.Throws<ArgumentException>(() => new LocalTrainer(TestModels.TinyCnn, 1, TestModels.MarkovText())).Message);
        Assert.Contains("model expects [1,28,28]", Assert.Throws<ArgumentException>(() => new LocalTrainer(ModelSpec.Cnn(), 1, TestModels.Blobs())).Message);
        Assert.Contains("batch size", Assert.Throws<ArgumentException>(() => new LocalTrainer(TestModels.TinyCnn, 1, TestModels.Blobs(), new TrainerOptions { BatchSize = 0 })).Message);
        Assert.Throws<ArgumentException>(() => DeviceResolver.Resolve("tpu"));
        if (!torch.cuda.is_available()) Assert.Contains("CUDA is not available", Assert.Throws<ArgumentException>(() => DeviceResolver.Resolve("cuda")).Message);
        Assert.Equal(torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, DeviceResolver.Resolve().type);
    }

    [SkippableFact]
    public void TheCnnLearnsRealFashionMnist()
    {
        Skip.IfNot(File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "t10k-images-idx3-ubyte.gz")), "dataset-fashion-mnist is not installed");
        // The 10k test file split into a training part and a held-out part: quick, and real data.
        var data = FashionMnist.Load("t10k");
        var shard = Partitioner.Iid(data.Labels, nodes: 4, seed: 1, heldOutFraction: 0.2)[0];
        using var t = new LocalTrainer(ModelSpec.Cnn() with { Conv1Channels = 8, Conv2Channels = 16, Hidden = 32 }, 1,
            new ClassificationTask(data, shard.Train, shard.HeldOut, seed: 1), new TrainerOptions { BatchSize = 32, LearningRate = 2e-3, Device = "cpu" });
        Assert.Equal(63, t.StepsPerEpoch); // 2000 train samples / 32
        t.TrainSteps((int)t.StepsPerEpoch);
        var eval = t.Evaluate();
        Assert.Equal(500, eval.Samples);
        Assert.True(eval.Accuracy > 0.65, $"accuracy {eval.Accuracy}");
    }
}
