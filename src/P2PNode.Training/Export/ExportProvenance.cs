using System.Text.Json.Nodes;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Training.Export;

/// <summary>
/// provenance.json of an export: the ledger entries that vouch for the exported weights. Every Aggregation entry of
/// the run whose result_model is the exported model hash (each node that computed this model records one), with the
/// contributions it averaged, and the run's genesis. An auditor checks these entries with `p2pnode ledger verify`
/// and `ledger prove AUTHOR:SEQ` (or their own verifier, docs/ledger.md) and recomputes the model hash from
/// model.safetensors (docs/training.md), which proves which contributions made this exact file.
/// </summary>
public static class ExportProvenance
{
    public const string Format = "p2pnode-provenance/1";

    /// <summary>The provenance of <paramref name="modelHash"/> in run <paramref name="run"/>; empty "aggregations"
    /// when no entry of the ledger vouches for it (the export says so and the CLI warns).</summary>
    public static JsonObject Find(LedgerStore ledger, byte[] run, byte[] modelHash)
    {
        var aggregations = new JsonArray();
        JsonObject? genesis = null;
        foreach (var author in ledger.Authors())
            foreach (var e in ledger.AllEntries(author))
            {
                if (e.Hash.AsSpan().SequenceEqual(run)) genesis = Describe(e);
                if (e.Entry.Body is not AggregationBody a || !e.Entry.Run.AsSpan().SequenceEqual(run) || !a.ResultModel.AsSpan().SequenceEqual(modelHash)) continue;
                var entry = Describe(e);
                entry["round"] = a.Round;
                entry["base_model"] = Convert.ToHexStringLower(a.BaseModel);
                entry["used"] = new JsonArray([.. a.Used.Select(u => (JsonNode)Used(ledger, u))]);
                entry["rejected"] = a.Rejected.Count;
                aggregations.Add(entry);
            }
        return new JsonObject
        {
            ["format"] = Format,
            ["run"] = Convert.ToHexStringLower(run),
            ["model_hash"] = Convert.ToHexStringLower(modelHash),
            ["genesis"] = genesis,
            ["aggregations"] = aggregations,
            ["verify"] = "p2pnode ledger verify LEDGER, then p2pnode ledger prove AUTHOR:SEQ for each aggregation; recompute model_hash from model.safetensors (docs/training.md)",
        };
    }

    private static JsonObject Describe(SignedEntry e) => new()
    {
        ["kind"] = EntryKinds.Name(e.Kind),
        ["author"] = PeerId.FromPublicKey(e.Entry.Author).ToString(),
        ["author_key"] = Convert.ToHexStringLower(e.Entry.Author),
        ["seq"] = e.Entry.Seq,
        ["entry_hash"] = Convert.ToHexStringLower(e.Hash),
    };

    private static JsonObject Used(LedgerStore ledger, WeightedInput u)
    {
        var o = new JsonObject { ["contribution"] = Convert.ToHexStringLower(u.Contribution), ["weight"] = u.Weight };
        if (ledger.GetByHash(u.Contribution) is { } c)
        {
            o["author"] = PeerId.FromPublicKey(c.Entry.Author).ToString();
            o["seq"] = c.Entry.Seq;
            if (c.Entry.Body is ContributionBody body) o["samples"] = body.Samples;
        }
        return o;
    }
}
