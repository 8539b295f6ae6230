namespace P2PNode.Aggregation;

/// <summary>One judge's measurement of one contribution (an Attestation entry): the loss of the round's model on the
/// judge's own held-out batch, before and after applying that contribution alone. Ids are hex (the judge's key, the
/// contribution's entry hash), so the rule is the same whether a node or an auditor runs it.</summary>
public sealed record JudgeScore(string Judge, string Contribution, double LossBefore, double LossAfter)
{
    public double Change => LossAfter - LossBefore;
}

/// <summary>A round input the rule decides on: its entry hash and its author's key (hex).</summary>
public sealed record JudgedInput(string Contribution, string Author);

/// <summary>An input the rule excluded: how many of the judges that scored it found it harmful.</summary>
public sealed record JudgedExclusion(string Contribution, int Harmful, int Votes);

/// <summary>
/// Which contributions a round leaves out on its judges' word (docs/runtime.md §3a). A pure function of the round's
/// inputs and the scores cited, so every node holding the same scores excludes the same set and an auditor re-runs
/// it from the ledger:
/// <list type="number">
/// <item>A score counts only from a judge that is itself the author of one of the inputs, about another author's
/// input; a judge that sent two scores for one contribution loses all its votes (it equivocated).</item>
/// <item>Each judge is compared with itself, not with the others: on non-IID data an honest delta often raises the
/// loss on another country's held-out batch, so "the loss went up" alone excluded 47 of 80 honest contributions in
/// the simulator (docs/robustness.md). A judge finds a contribution harmful when its loss change is over zero and
/// over that judge's median change plus <see cref="MadMultiple"/> median absolute deviations (the deviation floored
/// at <see cref="RelativeFloor"/> × the median loss before, so identical honest deltas do not make every tiny
/// difference an outlier). A judge with fewer than <see cref="MinScores"/> scores has no median to speak of and
/// abstains.</item>
/// <item>An input is excluded when at least <see cref="MinVotes"/> judges scored it and more than two thirds of them
/// found it harmful (3 × harmful > 2 × votes). A simple majority excluded an honest node whose data is unlike
/// everyone else's in 57 of 107 rounds of an all-honest 8-node swarm; the same run with two thirds, in 13
/// (docs/robustness.md).</item>
/// </list>
/// </summary>
public static class JudgingRule
{
    public const double MadMultiple = 3;
    public const double RelativeFloor = 1e-3;
    public const int MinScores = 3;
    public const int MinVotes = 2;

    /// <summary>The excluded inputs, in the order of <paramref name="inputs"/>.</summary>
    public static IReadOnlyList<JudgedExclusion> Excluded(IReadOnlyList<JudgedInput> inputs, IEnumerable<JudgeScore> scores)
    {
        var authorOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var i in inputs) authorOf.TryAdd(i.Contribution, i.Author);
        var judges = inputs.Select(i => i.Author).ToHashSet(StringComparer.Ordinal);
        var byJudge = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        var equivocated = new HashSet<string>(StringComparer.Ordinal);
        var befores = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var s in scores)
        {
            if (!judges.Contains(s.Judge) || !authorOf.TryGetValue(s.Contribution, out var author) || author == s.Judge) continue;
            // Finite losses can still differ by more than a double holds (1e308 − (−1e308)): such a score says nothing.
            if (!double.IsFinite(s.LossBefore) || !double.IsFinite(s.LossAfter) || !double.IsFinite(s.Change)) continue;
            if (!byJudge.TryGetValue(s.Judge, out var mine)) byJudge[s.Judge] = mine = new(StringComparer.Ordinal);
            if (mine.TryGetValue(s.Contribution, out var earlier))
            {
                if (earlier != s.Change) equivocated.Add(s.Judge);
                continue;
            }
            mine[s.Contribution] = s.Change;
            if (!befores.TryGetValue(s.Judge, out var b)) befores[s.Judge] = b = [];
            b.Add(s.LossBefore);
        }
        var harmful = new Dictionary<string, int>(StringComparer.Ordinal);
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (judge, mine) in byJudge.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (equivocated.Contains(judge) || mine.Count < MinScores) continue;
            var bar = Bar([.. mine.Values], Median([.. befores[judge]]));
            foreach (var (contribution, change) in mine)
            {
                votes[contribution] = votes.GetValueOrDefault(contribution) + 1;
                if (change > bar) harmful[contribution] = harmful.GetValueOrDefault(contribution) + 1;
            }
        }
        var excluded = new List<JudgedExclusion>();
        foreach (var i in inputs)
        {
            var v = votes.GetValueOrDefault(i.Contribution);
            var h = harmful.GetValueOrDefault(i.Contribution);
            if (v >= MinVotes && 3 * h > 2 * v) excluded.Add(new JudgedExclusion(i.Contribution, h, v));
        }
        return excluded;
    }

    /// <summary>A judge's bar: max(0, median + k × max(MAD, floor × |median loss before|)).</summary>
    private static double Bar(double[] changes, double lossBefore)
    {
        var median = Median(changes);
        var mad = Median(changes.Select(c => Math.Abs(c - median)).ToArray());
        return Math.Max(0, median + MadMultiple * Math.Max(mad, RelativeFloor * Math.Abs(lossBefore)));
    }

    /// <summary>The median (mean of the two middle values for an even count); the input is sorted in place.</summary>
    private static double Median(double[] values)
    {
        Array.Sort(values);
        var n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
