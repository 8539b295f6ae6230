using System.Text.Json.Nodes;

namespace P2PNode.Ledger.Entries;

/// <summary>
/// The kind-specific part of an entry. Each body writes its fields in a fixed order (the canonical bytes)
/// and has a JSON view with snake_case names that the export carries and auditors compare to the bytes.
/// </summary>
public abstract record EntryBody
{
    public abstract EntryKind Kind { get; }

    /// <summary>The entry's version byte for this body (docs/ledger.md §3.1): 1 unless the body needs a later layout.</summary>
    public virtual byte Version => 1;

    public abstract void Write(CanonicalWriter w);

    public abstract JsonObject ToJson();

    /// <summary>Reads the body of an entry of <paramref name="kind"/> and <paramref name="version"/> (the entry checked
    /// that the pair is allowed: docs/ledger.md §3.1).</summary>
    public static EntryBody Read(EntryKind kind, ref CanonicalReader r, byte version = 1) => kind switch
    {
        EntryKind.RunGenesis => RunGenesisBody.ReadFrom(ref r),
        EntryKind.Join => JoinBody.ReadFrom(ref r),
        EntryKind.Contribution => ContributionBody.ReadFrom(ref r),
        EntryKind.Aggregation => AggregationBody.ReadFrom(ref r, version),
        EntryKind.Attestation => AttestationBody.ReadFrom(ref r),
        EntryKind.Checkpoint => CheckpointBody.ReadFrom(ref r),
        _ => throw new FormatException($"unknown entry kind {(byte)kind}"),
    };

    protected static string Hex(byte[] h) => Convert.ToHexStringLower(h);

    protected static void WriteMetrics(CanonicalWriter w, IReadOnlyList<Metric> metrics) =>
        w.List(metrics, static (w, m) => { w.Str(m.Name); w.F64(m.Value); });

    protected static Metric[] ReadMetrics(ref CanonicalReader r)
    {
        var items = new Metric[r.Count("metrics")];
        for (var i = 0; i < items.Length; i++) items[i] = new Metric(r.Str("metric name"), r.F64("metric value"));
        return items;
    }

    protected static JsonArray MetricsJson(IReadOnlyList<Metric> metrics) =>
        new(metrics.Select(m => (JsonNode)new JsonObject { ["name"] = m.Name, ["value"] = m.Value }).ToArray());
}
