using System.Text.Json.Nodes;

namespace P2PNode.Ledger.Entries;

/// <summary>One node's pseudo-gradient for one round: what it started from, what it sends, what it cost.</summary>
public sealed record ContributionBody : EntryBody
{
    public required ulong Round { get; init; }
    /// <summary>Hash of the model the inner steps started from: the previous round's aggregation result.</summary>
    public required byte[] BaseModel { get; init; }
    /// <summary>SHA-256 of the encoded (compressed) delta payload, and its size in bytes.</summary>
    public required byte[] PayloadHash { get; init; }
    public required ulong PayloadSize { get; init; }
    public required ulong Samples { get; init; }
    public required uint InnerSteps { get; init; }
    public required double LossBefore { get; init; }
    public required double LossAfter { get; init; }
    public IReadOnlyList<Metric> Metrics { get; init; } = [];
    public required double ComputeSeconds { get; init; }

    public override EntryKind Kind => EntryKind.Contribution;

    public override void Write(CanonicalWriter w)
    {
        w.U64(Round); w.Hash(BaseModel); w.Hash(PayloadHash); w.U64(PayloadSize); w.U64(Samples); w.U32(InnerSteps);
        w.F64(LossBefore); w.F64(LossAfter); WriteMetrics(w, Metrics); w.F64(ComputeSeconds);
    }

    public static ContributionBody ReadFrom(ref CanonicalReader r) => new()
    {
        Round = r.U64("round"), BaseModel = r.Hash("base_model"), PayloadHash = r.Hash("payload_hash"),
        PayloadSize = r.U64("payload_size"), Samples = r.U64("samples"), InnerSteps = r.U32("inner_steps"),
        LossBefore = r.F64("loss_before"), LossAfter = r.F64("loss_after"), Metrics = ReadMetrics(ref r),
        ComputeSeconds = r.F64("compute_seconds"),
    };

    public override JsonObject ToJson() => new()
    {
        ["round"] = Round, ["base_model"] = Hex(BaseModel), ["payload_hash"] = Hex(PayloadHash),
        ["payload_size"] = PayloadSize, ["samples"] = Samples, ["inner_steps"] = InnerSteps,
        ["loss_before"] = LossBefore, ["loss_after"] = LossAfter, ["metrics"] = MetricsJson(Metrics),
        ["compute_seconds"] = ComputeSeconds,
    };
}
