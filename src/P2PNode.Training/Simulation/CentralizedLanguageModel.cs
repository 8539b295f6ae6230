using P2PNode.Training.Runtime;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Simulation;

/// <summary>
/// The language-model yardstick: one model trained on all nodes' text in one place with the same total compute
/// (N·H·R steps of the same batch, one batch from each node's text in turn, see <see cref="RotatingTask"/>), the run's
/// inner optimizer and a cosine schedule over those steps, scored on every node's own held-out text every
/// <c>curveEvery</c> rounds' worth of steps.
/// </summary>
public static class CentralizedLanguageModel
{
    /// <summary>One scoring point: after <paramref name="Steps"/> steps, bits per byte on each node's held-out text.</summary>
    public sealed record Point(long Steps, double[] BitsPerByte);

    public static IReadOnlyList<Point> Run(RunSpec spec, IReadOnlyList<LanguageModelTask> nodes, int curveEvery, string device = "cpu")
    {
        var steps = (long)nodes.Count * spec.InnerSteps * spec.Rounds;
        var options = spec.Trainer(device) with { ScheduleSteps = steps, WarmupSteps = (int)Math.Min(50, steps / 20), MaxEvalSamples = null };
        using var trainer = new LocalTrainer(spec.ModelSpec(), spec.Seed, new RotatingTask(nodes), options);
        var every = (long)nodes.Count * spec.InnerSteps * curveEvery;
        var points = new List<Point>();
        for (var done = 0L; done < steps;)
        {
            var n = (int)Math.Min(every - done % every, steps - done);
            trainer.TrainSteps(n);
            done += n;
            if (done % every == 0 || done == steps)
                points.Add(new Point(done, [.. nodes.Select(t => trainer.Evaluate(t).BitsPerByte!.Value)]));
        }
        return points;
    }
}
