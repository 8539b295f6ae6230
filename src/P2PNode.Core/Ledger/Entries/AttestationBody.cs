using System.Text.Json.Nodes;

namespace P2PNode.Ledger.Entries;

/// <summary>The author's measurement of another node's contribution on the author's own held-out data:
/// loss before and after applying it. Lets contributors be judged by others, not only by themselves.</summary>
public sealed record AttestationBody : EntryBody
{
    public required ulong Round { get; init; }
    /// <summary>Entry hash of the contribution measured.</summary>
    public required byte[] Contribution { get; init; }
    public required ulong Samples { get; init; }
    public required double LossBefore { get; init; }
    public required double LossAfter { get; init; }
    public IReadOnlyList<Metric> Metrics { get; init; } = [];

    public override EntryKind Kind => EntryKind.Attestation;

    public override void Write(CanonicalWriter w)
    {
        w.U64(Round); w.Hash(Contribution); w.U64(Samples); w.F64(LossBefore); w.F64(LossAfter); WriteMetrics(w, Metrics);
    }

    public static AttestationBody ReadFrom(ref CanonicalReader r) => new()
    {
        Round = r.U64("round"), Contribution = r.Hash("contribution"), Samples = r.U64("samples"),
        LossBefore = r.F64("loss_before"), LossAfter = r.F64("loss_after"), Metrics = ReadMetrics(ref r),
    };

    public override JsonObject ToJson() => new()
    {
        ["round"] = Round, ["contribution"] = Hex(Contribution), ["samples"] = Samples,
        ["loss_before"] = LossBefore, ["loss_after"] = LossAfter, ["metrics"] = MetricsJson(Metrics),
    };
}
