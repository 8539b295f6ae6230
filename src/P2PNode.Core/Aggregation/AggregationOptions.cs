namespace P2PNode.Aggregation;

/// <summary>
/// Robustness knobs of the per-round aggregate. All off by default: a trusted federation gets the plain
/// sample-weighted mean. Open networks should at least clip norms; trimmed mean also bounds what a minority
/// of bad contributions can do to any single coordinate.
/// </summary>
public sealed record AggregationOptions
{
    /// <summary>Clip each contribution to this L2 norm (scale it down, keep its direction). Null: off.
    /// Choose from observed honest norms (the ledger records every norm), e.g. 2–3× their median.</summary>
    public double? MaxNorm { get; init; }

    /// <summary>Clip each contribution to this multiple of the median norm of the round's accepted
    /// contributions (adapts as the norms shrink during training). Null: off. With <see cref="MaxNorm"/>
    /// also set, the smaller threshold wins. 2 to 3 is typical.</summary>
    public double? MedianNormMultiple { get; init; }

    /// <summary>Coordinate-wise trimmed mean: in each coordinate drop floor(TrimFraction × m) of the m values
    /// from each end before averaging the rest by weight. In [0, 0.5); 0 = weighted mean. 0.1–0.2 tolerates
    /// that many bad contributors per round at some cost in variance.</summary>
    public double TrimFraction { get; init; }

    /// <summary>Cap on the sample count one contribution may claim as weight, so a single node cannot
    /// dominate the mean by claiming a huge count. Null: no cap.</summary>
    public long? MaxSamples { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for out-of-range knobs.</summary>
    public void Validate()
    {
        if (MaxNorm is { } m && !(m > 0 && double.IsFinite(m)))
            throw new ArgumentException($"max norm must be finite and > 0, got {m}", nameof(MaxNorm));
        if (MedianNormMultiple is { } k && !(k > 0 && double.IsFinite(k)))
            throw new ArgumentException($"median norm multiple must be finite and > 0, got {k}", nameof(MedianNormMultiple));
        if (!(TrimFraction >= 0 && TrimFraction < 0.5))
            throw new ArgumentException($"trim fraction must be in [0, 0.5), got {TrimFraction}", nameof(TrimFraction));
        if (MaxSamples is { } s && s <= 0)
            throw new ArgumentException($"max samples must be > 0, got {s}", nameof(MaxSamples));
    }
}
