using P2PNode.Training.Models;
using P2PNode.Training.Text;

namespace P2PNode.Cli.Commands;

/// <summary>
/// The language-model shape flags shared by `run new`, `swarm` and `train --local`: --preset NAME, --layers, --width,
/// --heads, --context, --tokenizer (bytes, gpt2, r50k_base, cl100k_base, o200k_base or file:PATH), --positions
/// learned|rotary, --tied / --untied. With none of them, `--model lm` is the legacy byte model lm/v1. With any, the
/// model is lm/v2: the preset's values (or lm/v1's shape: 2 layers, width 128, 4 heads, context 64, bytes, learned,
/// untied) overridden by the flags given, and the tokenizer pinned by its content hash.
/// </summary>
internal static class LmFlags
{
    public const string Usage = "[--preset tiny|mini|small|medium|gpt2-small] [--layers L] [--width W] [--heads H] [--context T]\n" +
                                "  [--tokenizer bytes|gpt2|r50k_base|cl100k_base|o200k_base|file:PATH] [--positions learned|rotary] [--tied|--untied]";

    /// <summary>The rank file of a `--tokenizer file:PATH` (where a swarm's nodes find it), else --tokenizer-file.</summary>
    public static string? TokenizerFile(Args a) =>
        a.Get("tokenizer-file") ?? (a.Get("tokenizer") is { } t && t.StartsWith("file:", StringComparison.Ordinal) ? t["file:".Length..] : null);

    /// <summary>The v2 spec the flags describe, or null when none was given.</summary>
    public static ModelSpec? Read(Args a)
    {
        var preset = a.Get("preset");
        var layers = a.GetInt("layers", 1, 64);
        var width = a.GetInt("width", 1, 8192);
        var heads = a.GetInt("heads", 1, 256);
        var context = a.GetInt("context", 1, 1 << 14);
        var tokenizerName = a.Get("tokenizer");
        var positions = a.Get("positions");
        var tied = a.Flag("tied");
        var untied = a.Flag("untied");
        if (tied && untied) throw new UsageException("--tied and --untied are alternatives");
        if (preset is null && layers is null && width is null && heads is null && context is null && tokenizerName is null && positions is null && !tied && !untied)
            return null;
        try
        {
            var p = preset is null ? null : LmPresets.Get(preset);
            var tokenizer = Tokenizers.Resolve(tokenizerName ?? p?.Tokenizer ?? "bytes");
            var name = tokenizer.Name.StartsWith(Tokenizers.FilePrefix, StringComparison.Ordinal)
                ? Tokenizers.FilePrefix + Path.GetFileName(tokenizer.Name[Tokenizers.FilePrefix.Length..]) // the genesis names the file, the hash pins it
                : tokenizer.Name;
            var spec = new ModelSpec
            {
                Kind = ModelKind.Lm,
                Layers = layers ?? p?.Layers ?? 2,
                Width = width ?? p?.Width ?? 128,
                Heads = heads ?? p?.Heads ?? 4,
                Context = context ?? p?.Context ?? 64,
                Tokenizer = name,
                TokenizerSha256 = tokenizer.Sha256Hex,
                Vocabulary = tokenizer.VocabularySize,
                Positions = positions is not null ? ModelSpec.ParsePositions(positions) : p?.Positions ?? PositionEncoding.Learned,
                TiedEmbeddings = tied || (!untied && (p?.Tied ?? false)),
            };
            spec.Validate();
            return spec;
        }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }
}
