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

    /// <summary>Clipping, trimming and the sample cap of the combination (all off by default).</summary>
    public AggregationOptions Combination { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> for out-of-range settings.</summary>
    public void Validate()
    {
        if (NormOutlierMultiple is { } k && !(k > 1 && double.IsFinite(k)))
            throw new ArgumentException($"norm outlier multiple must be finite and > 1, got {k}", nameof(NormOutlierMultiple));
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
        var report = DeltaAggregator.Aggregate(kept, output, Combination);
        return outliers.Count == 0 ? report : report with { Rejected = [.. outliers, .. report.Rejected] };
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
