namespace P2PNode.Aggregation;

/// <summary>
/// Combines the round's decoded pseudo-gradients into one, the last step of <see cref="AggregationPolicy"/>:
/// validation (wrong length, non-finite values, non-positive sample counts, empty or duplicate ids are rejected
/// with a <see cref="RejectionReason"/>, never thrown), optional norm clipping, then the sample-weighted mean or
/// the coordinate-wise weighted trimmed mean.
///
/// Deterministic: contributions are sorted by contributor id bytes (unsigned lexicographic) before any
/// arithmetic and every sum runs in a fixed order in double precision, so the same set of contributions
/// gives bit-identical output in any arrival order, on any machine. Formulas are in docs/deltas.md.
/// </summary>
public static class DeltaAggregator
{
    public static AggregationReport Aggregate(IReadOnlyList<DeltaContribution> contributions, Span<float> output, AggregationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(contributions);
        options ??= new AggregationOptions();
        options.Validate();

        var rejected = new List<ContributionRejection>();
        var candidates = new List<DeltaContribution>();
        foreach (var c in contributions)
        {
            if (Check(c, output.Length) is { } refusal) rejected.Add(new ContributionRejection(c.ContributorId ?? [], refusal.Reason, refusal.Detail));
            else candidates.Add(c);
        }
        candidates.Sort((a, b) => a.ContributorId.AsSpan().SequenceCompareTo(b.ContributorId));

        // Two contributions under one id: keeping either would depend on arrival order, so both go.
        var accepted = new List<DeltaContribution>();
        for (var i = 0; i < candidates.Count;)
        {
            var j = i + 1;
            while (j < candidates.Count && candidates[j].ContributorId.AsSpan().SequenceEqual(candidates[i].ContributorId)) j++;
            if (j - i == 1) accepted.Add(candidates[i]);
            else for (var d = i; d < j; d++)
                rejected.Add(new ContributionRejection(candidates[d].ContributorId, RejectionReason.Refused, $"duplicate contributor id: {j - i} contributions in this round"));
            i = j;
        }
        rejected.Sort((a, b) =>
        {
            var byId = a.ContributorId.AsSpan().SequenceCompareTo(b.ContributorId);
            return byId != 0 ? byId : string.CompareOrdinal(a.Detail, b.Detail);
        });

        var norms = accepted.Select(c => DeterministicMath.Norm(c.Delta.Span)).ToArray();
        var threshold = ClipThreshold(options, norms);
        var weights = new double[accepted.Count];
        var factors = new double[accepted.Count];
        var report = new List<AcceptedContribution>(accepted.Count);
        for (var i = 0; i < accepted.Count; i++)
        {
            var c = accepted[i];
            weights[i] = Math.Min(c.Samples, options.MaxSamples ?? long.MaxValue);
            factors[i] = threshold is { } t && norms[i] > t ? t / norms[i] : 1.0;
            report.Add(new AcceptedContribution(c.ContributorId, c.Samples, weights[i], norms[i], factors[i]));
        }

        var trim = (int)Math.Floor(options.TrimFraction * accepted.Count);
        var deltas = accepted.Select(c => c.Delta).ToArray();
        if (accepted.Count == 0) output.Clear();
        else if (trim == 0) DeterministicMath.WeightedMean(deltas, weights, factors, output);
        else DeterministicMath.TrimmedMean(deltas, weights, factors, trim, output);

        var total = 0.0;
        foreach (var w in weights) total += w;
        return new AggregationReport
        {
            Accepted = report,
            Rejected = rejected,
            TotalWeight = total,
            ClipThreshold = threshold,
            TrimmedPerSide = trim,
        };
    }

    private static (RejectionReason Reason, string Detail)? Check(DeltaContribution c, int length)
    {
        if (c.ContributorId is null || c.ContributorId.Length == 0) return (RejectionReason.Refused, "empty contributor id");
        if (c.Samples <= 0) return (RejectionReason.Refused, $"sample count {c.Samples} is not positive");
        if (c.Delta.Length != length) return (RejectionReason.WrongShape, $"delta has {c.Delta.Length} values, the model has {length}");
        var bad = DeterministicMath.FirstNonFinite(c.Delta.Span);
        return bad < 0 ? null : (RejectionReason.Nan, $"delta value #{bad} is {c.Delta.Span[bad]}: NaN and infinity are rejected");
    }

    private static double? ClipThreshold(AggregationOptions options, double[] norms)
    {
        double? threshold = options.MaxNorm;
        if (options.MedianNormMultiple is { } multiple && norms.Length > 0)
        {
            var sorted = norms.Order().ToArray();
            var mid = sorted.Length / 2;
            var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
            var t = multiple * median;
            // A zero median (most contributions are zero) would scale everything else to zero: skip it.
            if (t > 0) threshold = threshold is { } m ? Math.Min(m, t) : t;
        }
        return threshold;
    }
}
