using System.Text.Json.Nodes;

namespace P2PNode.Ledger.Entries;

/// <summary>A node's outer step for one round: which contributions it averaged (and with what weight), which
/// it refused and why, and the model that resulted.</summary>
public sealed record AggregationBody : EntryBody
{
    public required ulong Round { get; init; }
    public required byte[] BaseModel { get; init; }
    public IReadOnlyList<WeightedInput> Used { get; init; } = [];
    public IReadOnlyList<RejectedInput> Rejected { get; init; } = [];
    public required byte[] ResultModel { get; init; }

    public override EntryKind Kind => EntryKind.Aggregation;

    public override void Write(CanonicalWriter w)
    {
        w.U64(Round); w.Hash(BaseModel);
        w.List(Used, static (w, u) => { w.Hash(u.Contribution); w.F64(u.Weight); });
        w.List(Rejected, static (w, x) => { w.Hash(x.Contribution); w.Str(x.Reason); });
        w.Hash(ResultModel);
    }

    public static AggregationBody ReadFrom(ref CanonicalReader r)
    {
        var round = r.U64("round");
        var baseModel = r.Hash("base_model");
        var used = new WeightedInput[r.Count("used")];
        for (var i = 0; i < used.Length; i++) used[i] = new WeightedInput(r.Hash("used contribution"), r.F64("used weight"));
        var rejected = new RejectedInput[r.Count("rejected")];
        for (var i = 0; i < rejected.Length; i++) rejected[i] = new RejectedInput(r.Hash("rejected contribution"), r.Str("rejected reason"));
        return new() { Round = round, BaseModel = baseModel, Used = used, Rejected = rejected, ResultModel = r.Hash("result_model") };
    }

    public override JsonObject ToJson() => new()
    {
        ["round"] = Round, ["base_model"] = Hex(BaseModel),
        ["used"] = new JsonArray(Used.Select(u => (JsonNode)new JsonObject { ["contribution"] = Hex(u.Contribution), ["weight"] = u.Weight }).ToArray()),
        ["rejected"] = new JsonArray(Rejected.Select(x => (JsonNode)new JsonObject { ["contribution"] = Hex(x.Contribution), ["reason"] = x.Reason }).ToArray()),
        ["result_model"] = Hex(ResultModel),
    };
}
