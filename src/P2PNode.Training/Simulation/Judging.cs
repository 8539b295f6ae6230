using P2PNode.Training.Trainer;

namespace P2PNode.Training.Simulation;

/// <summary>
/// Judging contributions with data that stays private (issue 14, in the simulator first): every worker scores every
/// other worker's delta of the round on a small batch of its own held-out data, the loss of θ before and after applying
/// that delta alone (θ − <see cref="StepScale"/> × Δ), and a contribution that makes the loss worse for a strict
/// majority of its judges is excluded from the round's aggregate. Dishonest judges vote against every honest
/// contribution and for every dishonest one.
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
        var moved = new float[theta.Length];
        for (var j = 0; j < m; j++)
        {
            judges[j].SetFlat(theta);
            var before = judges[j].Evaluate(judgeData[j]).Loss;
            foreach (var (author, delta) in deltas)
            {
                if (author == j) continue;
                var d = delta.Span;
                for (var k = 0; k < moved.Length; k++) moved[k] = (float)(theta[k] - stepScale * d[k]);
                judges[j].SetFlat(moved);
                change[j, author] = judges[j].Evaluate(judgeData[j]).Loss - before;
            }
        }
        var excluded = new HashSet<int>();
        foreach (var author in deltas.Keys)
        {
            int worse = 0, votes = 0;
            for (var j = 0; j < m; j++)
            {
                if (j == author) continue;
                votes++;
                // A dishonest judge says what helps the attack, whatever it measured.
                var saysWorse = dishonest.Contains(j) ? !dishonest.Contains(author) : change[j, author] > 0;
                if (saysWorse) worse++;
            }
            if (2 * worse > votes) excluded.Add(author);
        }
        return new JudgedRound(excluded, change);
    }
}
