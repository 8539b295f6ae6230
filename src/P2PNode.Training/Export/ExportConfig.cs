using System.Text.Json.Nodes;
using P2PNode.Training.Models;

namespace P2PNode.Training.Export;

/// <summary>
/// The config.json of an exported model: everything needed to rebuild the network outside p2pnode (docs/training.md,
/// "Exported models" gives the forward pass these fields select), the tokenizer reference and what the weights are.
/// </summary>
public static class ExportConfig
{
    public const string Format = "p2pnode-export/1";

    public static JsonObject For(ModelSpec spec, long parameters, byte[] modelHash, string? run, ulong? round)
    {
        var o = new JsonObject
        {
            ["format"] = Format,
            ["kind"] = spec.Kind.ToString().ToLowerInvariant(),
            ["spec"] = spec.Canonical,
            ["parameters"] = parameters,
            ["model_hash"] = Convert.ToHexStringLower(modelHash),
            ["run"] = run,
            ["round"] = round,
        };
        if (spec.Kind != ModelKind.Lm) return o;
        o["vocab_size"] = spec.Vocabulary;
        o["n_layer"] = spec.Layers;
        o["n_embd"] = spec.Width;
        o["n_head"] = spec.Heads;
        o["n_ctx"] = spec.Context;
        o["positions"] = ModelSpec.PositionName(spec.Positions);
        if (spec.Positions == PositionEncoding.Rotary) o["rope_base"] = 10000;
        o["tied_embeddings"] = spec.TiedEmbeddings;
        o["mlp_ratio"] = 4;
        o["activation"] = "gelu_erf";
        o["layer_norm_eps"] = 1e-5;
        o["tokenizer"] = new JsonObject
        {
            ["name"] = spec.Tokenizer,
            // The legacy lm/v1 model is the byte tokenizer by definition.
            ["sha256"] = spec.TokenizerSha256 ?? Text.ByteTokenizer.Instance.Sha256Hex,
        };
        return o;
    }
}
