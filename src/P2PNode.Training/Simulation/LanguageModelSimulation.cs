using P2PNode.Aggregation;
using P2PNode.Compression;
using P2PNode.Rounds;
using P2PNode.Training.Runtime;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Simulation;

/// <summary>
/// DiLoCo on the language model with N workers in one process and no network (`p2pnode diloco --model lm`): worker i
/// trains on its own text, with the run's hyperparameters exactly as the swarm's nodes use them (<see cref="RunSpec"/>),
/// synchronous rounds closed by the node's round engine (as <see cref="DilocoSimulation"/> does), the same codec and outer optimizer. Cheap enough to compare settings before a swarm; every
/// <c>evalEvery</c> rounds the shared model is scored on every worker's held-out text.
/// </summary>
public static class LanguageModelSimulation
{
    /// <summary>Bits per byte of the shared model on each worker's held-out text after round <paramref name="Round"/> (0-based).</summary>
    public sealed record Point(int Round, double[] BitsPerByte, long BytesPerWorker);

    public static IReadOnlyList<Point> Run(RunSpec spec, IReadOnlyList<LanguageModelTask> tasks, int evalEvery, Action<string>? log = null)
    {
        var workers = tasks.Select(t => new LocalTrainer(spec.ModelSpec(), spec.Seed, t, spec.Trainer("cpu") with { MaxEvalSamples = null })).ToList();
        try
        {
            var n = checked((int)workers[0].ParameterCount);
            var theta = workers[0].GetFlat();
            var outer = new OuterOptimizer(n, spec.Outer());
            var encoder = new DeltaEncoder(spec.CodecSpec());
            var residuals = workers.Select(_ => new ErrorFeedback(n)).ToArray();
            var (delta, aggregate) = (new float[n], new float[n]);
            long bytes = 0;
            var points = new List<Point>();
            var engine = new RoundEngine<DeltaContribution>();
            engine.Reset(1); // the engine's rounds are 1-based here, as in DilocoSimulation; the points stay 0-based
            for (var r = 0; r < spec.Rounds; r++)
            {
                for (var w = 0; w < workers.Count; w++)
                {
                    var (_, payload, contribution) = DilocoSimulation.TrainWorker(workers[w], w, theta, spec.InnerSteps, encoder, residuals[w], delta);
                    bytes += payload.Length;
                    DilocoSimulation.Offer(engine, r + 1, w, contribution);
                }
                new AggregationPolicy().Apply(DilocoSimulation.CloseRound(engine, r + 1, workers.Count), aggregate);
                outer.Apply(theta, aggregate);
                if ((r + 1) % evalEvery != 0 && r + 1 != spec.Rounds) continue;
                workers[0].SetFlat(theta);
                var scores = tasks.Select(t => workers[0].Evaluate(t).BitsPerByte!.Value).ToArray();
                points.Add(new Point(r, scores, bytes / workers.Count));
                log?.Invoke(FormattableString.Invariant($"round {r}: bits per byte {string.Join(" ", scores.Select(b => b.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))} (mean {scores.Average():0.000})"));
            }
            return points;
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
    }
}
