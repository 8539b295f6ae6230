using System.Text.Json.Nodes;
using P2PNode.Training.Models;

namespace P2PNode.Training.Runtime;

/// <summary>
/// The "lm" object of a run's hyperparameters: {"tokenizer", "tokenizer_sha256", "vocab", "layers", "width", "heads",
/// "context", "positions", "tied"}, every key required, in this order (docs/runtime.md).
/// </summary>
internal static class LmJson
{
    public static JsonObject Write(ModelSpec lm) => new()
    {
        ["tokenizer"] = lm.Tokenizer, ["tokenizer_sha256"] = lm.TokenizerSha256, ["vocab"] = lm.Vocabulary, ["layers"] = lm.Layers,
        ["width"] = lm.Width, ["heads"] = lm.Heads, ["context"] = lm.Context, ["positions"] = ModelSpec.PositionName(lm.Positions),
        ["tied"] = lm.TiedEmbeddings,
    };

    public static ModelSpec Read(JsonObject o)
    {
        string[] keys = ["tokenizer", "tokenizer_sha256", "vocab", "layers", "width", "heads", "context", "positions", "tied"];
        if (!o.Select(kv => kv.Key).Order(StringComparer.Ordinal).SequenceEqual(keys.Order(StringComparer.Ordinal)))
            throw new ArgumentException($"run hyperparameters: lm must have exactly the keys {string.Join(", ", keys)}");
        return new ModelSpec
        {
            Kind = ModelKind.Lm, Tokenizer = o["tokenizer"]!.GetValue<string>(), TokenizerSha256 = o["tokenizer_sha256"]!.GetValue<string>(),
            Vocabulary = o["vocab"]!.GetValue<int>(), Layers = o["layers"]!.GetValue<int>(), Width = o["width"]!.GetValue<int>(),
            Heads = o["heads"]!.GetValue<int>(), Context = o["context"]!.GetValue<int>(),
            Positions = ModelSpec.ParsePositions(o["positions"]!.GetValue<string>()), TiedEmbeddings = o["tied"]!.GetValue<bool>(),
        };
    }
}
