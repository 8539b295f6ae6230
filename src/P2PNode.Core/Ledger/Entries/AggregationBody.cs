using System.Text.Json.Nodes;

namespace P2PNode.Ledger.Entries;

/// <summary>A node's outer step for one round: which contributions it averaged (and with what weight), which
/// it refused and why, and the model that resulted. When the run judges contributions (docs/runtime.md §3a) it also
/// cites the Attestation entries its exclusions were decided from, so an auditor re-runs the decision; such an
/// entry is version 2 (docs/ledger.md §3.1), one without judgements stays version 1, byte for byte as before.</summary>
public sealed record AggregationBody : EntryBody
{
    public required ulong Round { get; init; }
    public required byte[] BaseModel { get; init; }
    public IReadOnlyList<WeightedInput> Used { get; init; } = [];
    public IReadOnlyList<RejectedInput> Rejected { get; init; } = [];
    public required byte[] ResultModel { get; init; }
    /// <summary>Entry hashes of the Attestation entries this aggregation judged its inputs by, in the order written
    /// (the judging rule does not depend on it). Empty: no judging.</summary>
    public IReadOnlyList<byte[]> Judgements { get; init; } = [];

    public override EntryKind Kind => EntryKind.Aggregation;
    public override byte Version => Judgements.Count > 0 ? (byte)2 : (byte)1;

    public override void Write(CanonicalWriter w)
    {
        w.U64(Round); w.Hash(BaseModel);
        w.List(Used, static (w, u) => { w.Hash(u.Contribution); w.F64(u.Weight); });
        w.List(Rejected, static (w, x) => { w.Hash(x.Contribution); w.Str(x.Reason); });
        w.Hash(ResultModel);
        if (Judgements.Count > 0) w.List(Judgements, static (w, h) => w.Hash(h));
    }

    /// <summary>Reads the body of an entry of <paramref name="version"/> 1 (no judgements) or 2 (a non-empty
    /// judgements list follows the result model; an empty one would have a second encoding, so it is refused).</summary>
    public static AggregationBody ReadFrom(ref CanonicalReader r, byte version)
    {
        var round = r.U64("round");
        var baseModel = r.Hash("base_model");
        var used = new WeightedInput[r.Count("used")];
        for (var i = 0; i < used.Length; i++) used[i] = new WeightedInput(r.Hash("used contribution"), r.F64("used weight"));
        var rejected = new RejectedInput[r.Count("rejected")];
        for (var i = 0; i < rejected.Length; i++) rejected[i] = new RejectedInput(r.Hash("rejected contribution"), r.Str("rejected reason"));
        var result = r.Hash("result_model");
        var judgements = version == 2 ? new byte[r.Count("judgements")][] : [];
        if (version == 2 && judgements.Length == 0) throw new FormatException("a version 2 aggregation must cite at least one judgement");
        for (var i = 0; i < judgements.Length; i++) judgements[i] = r.Hash("judgement");
        return new() { Round = round, BaseModel = baseModel, Used = used, Rejected = rejected, ResultModel = result, Judgements = judgements };
    }

    /// <summary>The export's body object; `judgements` only in a version 2 entry, so version 1 exports are unchanged.</summary>
    public override JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["round"] = Round, ["base_model"] = Hex(BaseModel),
            ["used"] = new JsonArray(Used.Select(u => (JsonNode)new JsonObject { ["contribution"] = Hex(u.Contribution), ["weight"] = u.Weight }).ToArray()),
            ["rejected"] = new JsonArray(Rejected.Select(x => (JsonNode)new JsonObject { ["contribution"] = Hex(x.Contribution), ["reason"] = x.Reason }).ToArray()),
            ["result_model"] = Hex(ResultModel),
        };
        if (Judgements.Count > 0) o["judgements"] = new JsonArray(Judgements.Select(h => (JsonNode)Hex(h)).ToArray());
        return o;
    }
}
