namespace P2PNode.Aggregation;

/// <summary>
/// What a round does with the decoded pseudo-gradients it holds: the norm-outlier rule, then validation (shape,
/// finite values, sample count, ids) and the robust combination of <see cref="DeltaAggregator"/>. The runtime and
/// the simulator both aggregate through it, and it is torch-free, so an auditor holding a round's payloads can
/// re-run the round and compare the result's hash with the ledger's.
/// </summary>
public sealed record AggregationPolicy
{
    /// <summary>How many rounds late a contribution may be when an aggregation folds it in (docs/runtime.md §5):
    /// the round book keeps late contributions that long, the runtime the models they start from, and the auditor
    /// accepts an aggregation that used one no older than that.</summary>
    public const ulong MaxLateRounds = 4;

    /// <summary>Refuse a contribution whose L2 norm is over this multiple of the round's lower median norm. Null:
    /// no outlier rule (the simulator, whose workers are all honest).</summary>
    public double? NormOutlierMultiple { get; init; }

    /// <summary>Refuse a contribution whose direction opposes the rest of the round: the cosine between its unit direction
    /// and the sum of the others' unit directions is below this (null: off). A sign-flipped delta has exactly the
    /// opposite cosine of the honest one it came from, and on non-IID data loss judging cannot tell it from an honest
    /// node with unusual data (docs/robustness.md); the direction can. Needs at least 3 contributions.</summary>
    public double? MinCosineToOthers { get; init; }

    /// <summary>Refuse every contribution of a pair whose deltas are near-identical: cosine between the two at or over
    /// this (null: off). Honest deltas of different nodes are nearly orthogonal (top-k sparse, different data); a copy
    /// re-signed from another node, or colluders sending one crafted delta, are not. Which of a pair copied the other
    /// cannot be told from the round, so both are left out (docs/robustness.md).</summary>
    public double? MaxPairCosine { get; init; }

    /// <summary>Clipping, trimming and the sample cap of the combination (all off by default).</summary>
    public AggregationOptions Combination { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> for out-of-range settings.</summary>
    public void Validate()
    {
        if (NormOutlierMultiple is { } k && !(k > 1 && double.IsFinite(k)))
            throw new ArgumentException($"norm outlier multiple must be finite and > 1, got {k}", nameof(NormOutlierMultiple));
        if (MaxPairCosine is { } p && !(p > 0 && p <= 1))
            throw new ArgumentException($"maximum pair cosine must be in (0, 1], got {p}", nameof(MaxPairCosine));
        if (MinCosineToOthers is { } c && !(c >= -1 && c <= 1))
            throw new ArgumentException($"minimum cosine to the others must be in [-1, 1], got {c}", nameof(MinCosineToOthers));
        ArgumentNullException.ThrowIfNull(Combination);
        Combination.Validate();
    }

    /// <summary>Writes the round's aggregate to <paramref name="output"/>. Bad contributions come back as rejections,
    /// never as exceptions: the outlier rule's first, then the combination's (<see cref="AggregationReport.Rejected"/>).</summary>
    public AggregationReport Apply(IReadOnlyList<DeltaContribution> contributions, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(contributions);
        Validate();
        var kept = contributions.ToList();
        var outliers = NormOutlierMultiple is { } multiple ? NormOutliers(kept, multiple) : [];
        if (MaxPairCosine is { } most) outliers.AddRange(Duplicates(kept, most));
        if (MinCosineToOthers is { } least) outliers.AddRange(Opposed(kept, least));
        var report = DeltaAggregator.Aggregate(kept, output, Combination);
        return outliers.Count == 0 ? report : report with { Rejected = [.. outliers, .. report.Rejected] };
    }

    /// <summary>
    /// Removes from <paramref name="kept"/> and returns, last input first, every contribution whose cosine with the sum
    /// of the other contributions' unit directions is below <paramref name="least"/>, all measured before any is removed
    /// (so the order of the inputs does not matter). Sums in double, in input order: every node gets the same cosines.
    /// A delta with a zero or non-finite norm has no direction and is left to validation.
    /// </summary>
    private static List<ContributionRejection> Opposed(List<DeltaContribution> kept, double least)
    {
        var opposed = new List<ContributionRejection>();
        if (kept.Count < 3 || kept.Any(c => c.Delta.Length != kept[0].Delta.Length)) return opposed; // validation refuses wrong shapes
        var cosines = CosinesToOthers(kept);
        for (var i = kept.Count - 1; i >= 0; i--)
            if (cosines[i] < least)
            {
                opposed.Add(new ContributionRejection(kept[i].ContributorId ?? [], RejectionReason.Opposed,
                    $"its direction has cosine {cosines[i]:F3} with the rest of the round, under {least}"));
                kept.RemoveAt(i);
            }
        return opposed;
    }

    /// <summary>
    /// Removes from <paramref name="kept"/> and returns, last input first, every contribution whose cosine with some
    /// other contribution of the round is at least <paramref name="most"/> (all pairs measured first; double sums in
    /// increasing coordinate order). A delta with a zero or non-finite norm has no direction and is never a duplicate.
    /// </summary>
    private static List<ContributionRejection> Duplicates(List<DeltaContribution> kept, double most)
    {
        var duplicates = new List<ContributionRejection>();
        if (kept.Count < 2 || kept.Any(c => c.Delta.Length != kept[0].Delta.Length)) return duplicates;
        var norms = kept.Select(c => DeterministicMath.Norm(c.Delta.Span)).ToArray();
        var twin = new int[kept.Count];
        var closest = new double[kept.Count];
        Array.Fill(twin, -1);
        for (var a = 0; a < kept.Count; a++)
            for (var b = a + 1; b < kept.Count; b++)
            {
                if (!(norms[a] > 0 && double.IsFinite(norms[a]) && norms[b] > 0 && double.IsFinite(norms[b]))) continue;
                var x = kept[a].Delta.Span;
                var y = kept[b].Delta.Span;
                double dot = 0;
                for (var k = 0; k < x.Length; k++) dot += (double)x[k] * y[k];
                var cos = dot / (norms[a] * norms[b]);
                if (cos < most) continue;
                if (twin[a] < 0) (twin[a], closest[a]) = (b, cos);
                if (twin[b] < 0) (twin[b], closest[b]) = (a, cos);
            }
        for (var i = kept.Count - 1; i >= 0; i--)
            if (twin[i] >= 0)
            {
                duplicates.Add(new ContributionRejection(kept[i].ContributorId ?? [], RejectionReason.Duplicate,
                    $"its delta has cosine {closest[i]:F4} with another contribution of the round (input {twin[i]}), at or over {most}"));
                kept.RemoveAt(i);
            }
        return duplicates;
    }

    /// <summary>Each contribution's cosine with the sum of the others' unit directions (NaN for one with a zero or
    /// non-finite norm, or when the others cancel out). Double sums in input order; all deltas of one length.</summary>
    public static double[] CosinesToOthers(IReadOnlyList<DeltaContribution> round)
    {
        var n = round.Count == 0 ? 0 : round[0].Delta.Length;
        var norms = round.Select(c => DeterministicMath.Norm(c.Delta.Span)).ToArray();
        var usable = norms.Select(x => x > 0 && double.IsFinite(x)).ToArray();
        var total = new double[n];
        for (var i = 0; i < round.Count; i++)
        {
            if (!usable[i]) continue;
            var d = round[i].Delta.Span;
            for (var k = 0; k < n; k++) total[k] += d[k] / norms[i];
        }
        var cosines = new double[round.Count];
        for (var i = 0; i < round.Count; i++)
        {
            cosines[i] = double.NaN;
            if (!usable[i]) continue;
            var d = round[i].Delta.Span;
            double dot = 0, others = 0;
            for (var k = 0; k < n; k++)
            {
                var rest = total[k] - d[k] / norms[i];
                dot += d[k] / norms[i] * rest;
                others += rest * rest;
            }
            if (others > 0) cosines[i] = dot / Math.Sqrt(others);
        }
        return cosines;
    }

    /// <summary>
    /// Removes from <paramref name="kept"/> and returns, last input first, every contribution whose norm is over
    /// <paramref name="multiple"/> × the lower median norm (the ⌊(m−1)/2⌋-th smallest of m; with one contribution
    /// there is nothing to compare). Refused, not clipped: a delta this far from the others is a fault or an attack.
    /// The rule runs before validation, on every decoded delta, as the runtime always has: a NaN norm sorts lowest
    /// and is never over the bar (validation then refuses it as <see cref="RejectionReason.Nan"/>), an infinite one is
    /// an outlier. Moving it after validation would change which reason the ledger records.
    /// </summary>
    private static List<ContributionRejection> NormOutliers(List<DeltaContribution> kept, double multiple)
    {
        var outliers = new List<ContributionRejection>();
        if (kept.Count < 2) return outliers;
        var norms = kept.Select(c => DeterministicMath.Norm(c.Delta.Span)).ToList();
        var median = norms.Order().ElementAt((norms.Count - 1) / 2);
        for (var i = kept.Count - 1; i >= 0; i--)
            if (norms[i] > multiple * median)
            {
                outliers.Add(new ContributionRejection(kept[i].ContributorId ?? [], RejectionReason.NormOutlier,
                    $"norm {norms[i]:G4} is over {multiple} × the median {median:G4}"));
                kept.RemoveAt(i);
            }
        return outliers;
    }
}
