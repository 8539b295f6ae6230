using P2PNode.Training.Trainer;

namespace P2PNode.Training.Tests.LanguageModel;

/// <summary>Per-round scores use a subset of the held-out text; it must stand for the whole text, not its start.</summary>
[Collection("torch")]
public sealed class EvalSubsetTests
{
    [Fact]
    public void AnEvaluationSubsetIsSpreadOverTheWholeHeldOutText()
    {
        var spec = TestModels.TinyLm;
        // Held-out text: its first half the byte the model learns, its second half a byte it never sees.
        var heldOut = Enumerable.Repeat((byte)'a', 50 * spec.Context).Concat(Enumerable.Repeat((byte)'b', 50 * spec.Context)).ToArray();
        var task = new LanguageModelTask(Enumerable.Repeat((byte)'a', 3000).ToArray(), heldOut, spec.Context, 1);
        var options = new TrainerOptions { BatchSize = 4, LearningRate = 1e-2, Device = "cpu" };
        using var trainer = new LocalTrainer(spec, 1, task, options);
        trainer.TrainSteps(40);
        var full = trainer.Evaluate().BitsPerByte!.Value;
        using var subsetTrainer = new LocalTrainer(spec, 1, task, options with { MaxEvalSamples = 33 });
        subsetTrainer.SetFlat(trainer.GetFlat());
        var subset = subsetTrainer.Evaluate().BitsPerByte!.Value;
        using var prefixTrainer = new LocalTrainer(spec, 1, new LanguageModelTask(Enumerable.Repeat((byte)'a', 3000).ToArray(), heldOut[..(34 * spec.Context)], spec.Context, 1), options);
        prefixTrainer.SetFlat(trainer.GetFlat());
        var prefix = prefixTrainer.Evaluate().BitsPerByte!.Value; // what the first 33 windows alone score
        Assert.True(full > 2 * prefix, $"the unseen half must score worse: full {full}, first windows {prefix}");
        // 33 of the 99 windows, every third: 16 of them in the unseen half, so the subset scores what the whole text scores.
        Assert.True(Math.Abs(subset - full) < 0.1 * full, $"subset {subset} vs full {full} (first windows alone: {prefix})");
    }
}
