using System.Globalization;

namespace P2PNode.Training.Models;

/// <summary>
/// Reads a <see cref="ModelSpec.Canonical"/> string back into a spec (used to load exports and checkpoints, which
/// carry only the canonical text). Strict: the keys must be exactly those of the kind and version, in order, and the
/// result must print back to the same text.
/// </summary>
internal static class ModelSpecParser
{
    public static ModelSpec Parse(string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        var parts = canonical.Split(' ');
        var head = parts[0];
        var values = new List<(string Key, string Value)>();
        foreach (var part in parts.Skip(1))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"model canonical '{canonical}': '{part}' is not key=value");
            values.Add((part[..eq], part[(eq + 1)..]));
        }
        var spec = head switch
        {
            "cnn/v1" => Cnn(values, canonical),
            "mlp/v1" => Mlp(values, canonical),
            "lm/v1" => LmV1(values, canonical),
            "lm/v2" => LmV2(values, canonical),
            _ => throw new ArgumentException($"model canonical '{canonical}': unknown kind/version '{head}'"),
        };
        if (spec.Canonical != canonical) throw new ArgumentException($"model canonical '{canonical}' is not in canonical form (expected '{spec.Canonical}')");
        return spec;
    }

    private static ModelSpec Cnn(List<(string, string)> v, string text)
    {
        Expect(v, text, "in", "c1", "c2", "hidden", "classes");
        var (c, size) = Image(v[0].Item2, text);
        return new ModelSpec { Kind = ModelKind.Cnn, InputChannels = c, ImageSize = size, Conv1Channels = Int(v[1], text), Conv2Channels = Int(v[2], text), Hidden = Int(v[3], text), Classes = Int(v[4], text) };
    }

    private static ModelSpec Mlp(List<(string, string)> v, string text)
    {
        Expect(v, text, "in", "hidden", "layers", "classes");
        var (c, size) = Image(v[0].Item2, text);
        return new ModelSpec { Kind = ModelKind.Mlp, InputChannels = c, ImageSize = size, Hidden = Int(v[1], text), HiddenLayers = Int(v[2], text), Classes = Int(v[3], text) };
    }

    private static ModelSpec LmV1(List<(string, string)> v, string text)
    {
        Expect(v, text, "vocab", "layers", "width", "heads", "context");
        if (Int(v[0], text) != ModelSpec.ByteVocabulary) throw new ArgumentException($"model canonical '{text}': lm/v1 has vocab=256");
        return new ModelSpec { Kind = ModelKind.Lm, Layers = Int(v[1], text), Width = Int(v[2], text), Heads = Int(v[3], text), Context = Int(v[4], text) };
    }

    private static ModelSpec LmV2(List<(string, string)> v, string text)
    {
        Expect(v, text, "tokenizer", "sha256", "vocab", "layers", "width", "heads", "context", "positions", "tied");
        var tied = v[8].Item2 switch { "true" => true, "false" => false, _ => throw new ArgumentException($"model canonical '{text}': tied must be true or false") };
        return new ModelSpec
        {
            Kind = ModelKind.Lm, Tokenizer = v[0].Item2, TokenizerSha256 = v[1].Item2, Vocabulary = Int(v[2], text), Layers = Int(v[3], text),
            Width = Int(v[4], text), Heads = Int(v[5], text), Context = Int(v[6], text), Positions = ModelSpec.ParsePositions(v[7].Item2), TiedEmbeddings = tied,
        };
    }

    private static void Expect(List<(string Key, string)> v, string text, params string[] keys)
    {
        if (!v.Select(x => x.Key).SequenceEqual(keys))
            throw new ArgumentException($"model canonical '{text}': expected keys {string.Join(" ", keys)}");
    }

    private static int Int((string Key, string Value) kv, string text) =>
        int.TryParse(kv.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw new ArgumentException($"model canonical '{text}': {kv.Key} must be a non-negative integer, got '{kv.Value}'");

    private static (int Channels, int Size) Image(string value, string text)
    {
        var dims = value.Split('x');
        if (dims.Length != 3 || dims[1] != dims[2]) throw new ArgumentException($"model canonical '{text}': in must be CxSxS");
        return (Int(("in", dims[0]), text), Int(("in", dims[1]), text));
    }
}
