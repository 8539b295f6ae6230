using P2PNode.Aggregation;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Simulation;

/// <summary>
/// Judging contributions with data that stays private (issue 14, in the simulator first): every worker scores every
/// other worker's delta of the round on a small batch of its own held-out data, the loss of θ before and after applying
/// that delta alone (θ − <see cref="StepScale"/> × Δ), and the node's <see cref="JudgingRule"/> decides what the round
/// leaves out (docs/runtime.md §3a). Dishonest judges report the opposite of what they measured.
/// </summary>
public sealed record JudgeOptions
{
    /// <summary>Held-out samples each judge scores on (the first ones of its held-out part).</summary>
    public int Samples { get; init; } = 256;

    /// <summary>The step a contribution is judged by: 1 = the whole delta, as if it were the round's average; 1/m would
    /// be its share of a mean of m.</summary>
    public double StepScale { get; init; } = 1.0;

    public void Validate()
    {
        if (Samples < 1) throw new ArgumentException($"judge samples must be >= 1, got {Samples}");
        if (!(StepScale > 0 && double.IsFinite(StepScale))) throw new ArgumentException($"judge step scale must be finite and > 0, got {StepScale}");
    }
}

/// <summary>The verdicts of one round: which workers' contributions were excluded, and every judge's loss change.</summary>
public sealed record JudgedRound(IReadOnlySet<int> Excluded, double[,] LossChange);

internal static class Judging
{
    /// <summary>Judges the round's contributions (worker index → decoded delta) with every worker as a judge.</summary>
    public static JudgedRound Judge(IReadOnlyList<LocalTrainer> judges, IReadOnlyList<TrainingTask> judgeData, float[] theta,
        IReadOnlyDictionary<int, ReadOnlyMemory<float>> deltas, ISet<int> dishonest, double stepScale)
    {
        var m = judges.Count;
        var change = new double[m, m]; // [judge, author]: loss after − loss before; > 0 is worse
        var before = new double[m];
        var moved = new float[theta.Length];
        for (var j = 0; j < m; j++)
        {
            judges[j].SetFlat(theta);
            before[j] = judges[j].Evaluate(judgeData[j]).Loss;
            foreach (var (author, delta) in deltas)
            {
                if (author == j) continue;
                var d = delta.Span;
                for (var k = 0; k < moved.Length; k++) moved[k] = (float)(theta[k] - stepScale * d[k]);
                judges[j].SetFlat(moved);
                change[j, author] = judges[j].Evaluate(judgeData[j]).Loss - before[j];
            }
        }
        // The node's rule (docs/runtime.md §3a), over what each judge reports: a dishonest judge reports the opposite of
        // what it measured, as a lying node does (TrainingNode.Judging), so the honest deltas look harmful to it and
        // the attack helpful.
        static string Id(int worker) => worker.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
        var inputs = deltas.Keys.Order().Select(a => new JudgedInput(Id(a), Id(a))).ToList();
        var scores = new List<JudgeScore>();
        for (var j = 0; j < m; j++)
            foreach (var author in deltas.Keys)
                if (author != j)
                    scores.Add(new JudgeScore(Id(j), Id(author), before[j], before[j] + (dishonest.Contains(j) ? -change[j, author] : change[j, author])));
        var excluded = JudgingRule.Excluded(inputs, scores).Select(x => int.Parse(x.Contribution, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        return new JudgedRound(excluded, change);
    }
}
