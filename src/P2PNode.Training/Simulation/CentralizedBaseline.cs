using P2PNode.Training.Data;
using P2PNode.Training.Models;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Simulation;

/// <summary>
/// The yardstick for a simulation: one model trained on all the data for the same number of samples
/// (N · H · R steps of the same batch size), same inner optimizer settings and schedule rule, scored on the same
/// test set.
/// </summary>
public static class CentralizedBaseline
{
    /// <returns>Test metrics and the model hash after <paramref name="steps"/> steps.</returns>
    public static (EvalStats Eval, long Samples, string ModelHash) Run(LabeledDataset train, LabeledDataset test, ModelSpec spec, long seed,
        long steps, int batchSize, double learningRate, string device = "cpu", int? warmupSteps = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (steps < 1) throw new ArgumentException($"steps must be >= 1, got {steps}");
        var options = new TrainerOptions
        {
            BatchSize = batchSize,
            LearningRate = learningRate,
            WarmupSteps = warmupSteps ?? (int)Math.Min(50, steps / 20),
            ScheduleSteps = steps,
            Device = device,
        };
        using var trainer = new LocalTrainer(spec, seed, ClassificationTask.Centralized(train, test, seed), options);
        long samples = 0;
        for (var done = 0L; done < steps;)
        {
            var n = (int)Math.Min(100, steps - done);
            samples += trainer.TrainSteps(n).Samples;
            done += n;
        }
        return (trainer.Evaluate(), samples, Convert.ToHexStringLower(trainer.ModelHash()));
    }
}
