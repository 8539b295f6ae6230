using System.Globalization;

namespace P2PNode.Training.Models;

/// <summary>
/// Everything that determines a model's architecture. Two nodes with equal specs and the same seed build
/// bit-identical parameters; the <see cref="Canonical"/> string is written into model hashes and checkpoints,
/// so a checkpoint can never be loaded into a different architecture by mistake.
/// Only the fields of the chosen <see cref="Kind"/> matter; the others are ignored (and left out of
/// <see cref="Canonical"/>).
/// </summary>
public sealed record ModelSpec
{
    public ModelKind Kind { get; init; } = ModelKind.Cnn;

    // ---- classifiers (cnn, mlp)
    /// <summary>Input image channels (1 for Fashion-MNIST).</summary>
    public int InputChannels { get; init; } = 1;
    /// <summary>Input image side in pixels (28 for Fashion-MNIST). The CNN needs a multiple of 4 (two 2×2 pools).</summary>
    public int ImageSize { get; init; } = 28;
    /// <summary>Number of output classes.</summary>
    public int Classes { get; init; } = 10;
    /// <summary>CNN: channels of the first 3×3 convolution. 32 gives ~420k parameters with the defaults.</summary>
    public int Conv1Channels { get; init; } = 32;
    /// <summary>CNN: channels of the second 3×3 convolution.</summary>
    public int Conv2Channels { get; init; } = 64;
    /// <summary>CNN and MLP: width of the hidden fully connected layer(s).</summary>
    public int Hidden { get; init; } = 128;
    /// <summary>MLP: number of hidden layers (each <see cref="Hidden"/> wide).</summary>
    public int HiddenLayers { get; init; } = 2;

    // ---- decoder-only transformer language model (lm)
    /// <summary>LM: transformer blocks. Cost grows linearly.</summary>
    public int Layers { get; init; } = 2;
    /// <summary>LM: model width (embedding size); must be divisible by <see cref="Heads"/>.</summary>
    public int Width { get; init; } = 128;
    /// <summary>LM: attention heads per block.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>LM: context length in tokens; cost grows quadratically in attention.</summary>
    public int Context { get; init; } = 64;
    /// <summary>LM: tokenizer name ("bytes", "gpt2", "o200k_base", "file:NAME", …; see docs/training.md).</summary>
    public string Tokenizer { get; init; } = "bytes";
    /// <summary>
    /// LM: SHA-256 (64 lower-case hex digits) of the tokenizer's canonical vocabulary, pinning it in the genesis; null
    /// only in the legacy lm/v1 form, which is the byte tokenizer by definition.
    /// </summary>
    public string? TokenizerSha256 { get; init; }
    /// <summary>LM: vocabulary size V (token ids 0..V-1), fixed by the tokenizer.</summary>
    public int Vocabulary { get; init; } = ByteVocabulary;
    /// <summary>LM: position encoding: learned absolute embeddings (GPT-2) or rotary (RoPE, no parameters).</summary>
    public PositionEncoding Positions { get; init; } = PositionEncoding.Learned;
    /// <summary>LM: the output head reuses the token embedding matrix (GPT-2 style) instead of its own [V, W] matrix.</summary>
    public bool TiedEmbeddings { get; init; }

    /// <summary>Vocabulary of the byte tokenizer (and of every lm/v1 model).</summary>
    public const int ByteVocabulary = 256;

    public static ModelSpec Cnn() => new() { Kind = ModelKind.Cnn };
    public static ModelSpec Mlp() => new() { Kind = ModelKind.Mlp, Hidden = 256 };
    /// <summary>The legacy byte-level LM (lm/v1): learned positions, untied head, byte vocabulary.</summary>
    public static ModelSpec Lm() => new() { Kind = ModelKind.Lm };

    /// <summary>The default spec for a CLI name: "cnn", "mlp" or "lm".</summary>
    public static ModelSpec ForName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "cnn" => Cnn(),
        "mlp" => Mlp(),
        "lm" => Lm(),
        _ => throw new ArgumentException($"unknown model '{name}' (expected cnn, mlp or lm)"),
    };

    /// <summary>True for the legacy byte LM form, whose canonical text is lm/v1 (kept so old runs and checkpoints load).</summary>
    public bool IsLegacyLm => Kind == ModelKind.Lm && TokenizerSha256 is null;

    public bool IsClassifier => Kind is ModelKind.Cnn or ModelKind.Mlp;

    /// <summary>
    /// Canonical text of the architecture, e.g. "cnn/v1 in=1x28x28 c1=32 c2=64 hidden=128 classes=10".
    /// Grammar: kind "/v1" (or "lm/v2"), then space-separated key=value pairs in the fixed order shown for each kind
    /// (cnn: in c1 c2 hidden classes; mlp: in hidden layers classes; lm/v1: vocab layers width heads context;
    /// lm/v2: tokenizer sha256 vocab layers width heads context positions tied), e.g.
    /// "lm/v2 tokenizer=bytes sha256=…64 hex… vocab=256 layers=4 width=256 heads=4 context=128 positions=rotary tied=true".
    /// Changing a model's code in a way that changes its parameters must bump the version. <see cref="Parse"/> reads it back.
    /// </summary>
    public string Canonical
    {
        get
        {
            Validate();
            var inp = string.Create(CultureInfo.InvariantCulture, $"in={InputChannels}x{ImageSize}x{ImageSize}");
            return Kind switch
            {
                ModelKind.Cnn => string.Create(CultureInfo.InvariantCulture, $"cnn/v1 {inp} c1={Conv1Channels} c2={Conv2Channels} hidden={Hidden} classes={Classes}"),
                ModelKind.Mlp => string.Create(CultureInfo.InvariantCulture, $"mlp/v1 {inp} hidden={Hidden} layers={HiddenLayers} classes={Classes}"),
                _ when IsLegacyLm => string.Create(CultureInfo.InvariantCulture, $"lm/v1 vocab={Vocabulary} layers={Layers} width={Width} heads={Heads} context={Context}"),
                _ => string.Create(CultureInfo.InvariantCulture,
                    $"lm/v2 tokenizer={Tokenizer} sha256={TokenizerSha256} vocab={Vocabulary} layers={Layers} width={Width} heads={Heads} context={Context} positions={PositionName(Positions)} tied={(TiedEmbeddings ? "true" : "false")}"),
            };
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        static void Pos(int v, string name, int max = 1 << 16)
        {
            if (v < 1 || v > max) throw new ArgumentException($"model spec: {name} must be in [1, {max}], got {v}");
        }
        switch (Kind)
        {
            case ModelKind.Cnn:
                Pos(InputChannels, nameof(InputChannels), 16); Pos(ImageSize, nameof(ImageSize), 1024); Pos(Classes, nameof(Classes));
                Pos(Conv1Channels, nameof(Conv1Channels), 4096); Pos(Conv2Channels, nameof(Conv2Channels), 4096); Pos(Hidden, nameof(Hidden));
                if (ImageSize % 4 != 0) throw new ArgumentException($"model spec: cnn needs ImageSize divisible by 4 (two 2x2 poolings), got {ImageSize}");
                break;
            case ModelKind.Mlp:
                Pos(InputChannels, nameof(InputChannels), 16); Pos(ImageSize, nameof(ImageSize), 1024); Pos(Classes, nameof(Classes));
                Pos(Hidden, nameof(Hidden)); Pos(HiddenLayers, nameof(HiddenLayers), 64);
                break;
            case ModelKind.Lm:
                Pos(Layers, nameof(Layers), 64); Pos(Width, nameof(Width), 8192); Pos(Heads, nameof(Heads), 256); Pos(Context, nameof(Context), 1 << 14);
                if (Width % Heads != 0) throw new ArgumentException($"model spec: lm Width ({Width}) must be divisible by Heads ({Heads})");
                Pos(Vocabulary, nameof(Vocabulary), 1 << 20);
                if (IsLegacyLm)
                {
                    if (Tokenizer != "bytes" || Vocabulary != ByteVocabulary || Positions != PositionEncoding.Learned || TiedEmbeddings)
                        throw new ArgumentException("model spec: an lm without a tokenizer hash is the legacy byte model (bytes, 256, learned positions, untied)");
                }
                else
                {
                    if (TokenizerSha256!.Length != 64 || !TokenizerSha256.All(char.IsAsciiHexDigitLower))
                        throw new ArgumentException($"model spec: tokenizer sha256 must be 64 lower-case hex digits, got '{TokenizerSha256}'");
                    if (Tokenizer.Length == 0 || Tokenizer.Any(c => char.IsWhiteSpace(c) || c == '='))
                        throw new ArgumentException($"model spec: tokenizer name '{Tokenizer}' must be non-empty with no spaces or '='");
                }
                if (Positions == PositionEncoding.Rotary && (Width / Heads) % 2 != 0)
                    throw new ArgumentException($"model spec: rotary positions need an even head size, got {Width / Heads}");
                break;
            default:
                throw new ArgumentException($"model spec: unknown kind {(int)Kind}");
        }
    }

    /// <summary>Learnable parameters of this spec, computed from the shapes (no model is built).</summary>
    public long ParameterCount()
    {
        Validate();
        long w = Width, v = Vocabulary;
        return Kind switch
        {
            ModelKind.Lm => (Positions == PositionEncoding.Learned ? Context * w : 0) + v * w
                + Layers * (4 * w + (3 * w * w + 3 * w) + (w * w + w) + (4 * w * w + 4 * w) + (4 * w * w + w))
                + 2 * w + (TiedEmbeddings ? 0 : v * w),
            _ => throw new NotSupportedException("ParameterCount is computed for language models only; build the model for the others"),
        };
    }

    public static string PositionName(PositionEncoding p) => p == PositionEncoding.Rotary ? "rotary" : "learned";

    public static PositionEncoding ParsePositions(string text) => text.Trim().ToLowerInvariant() switch
    {
        "learned" => PositionEncoding.Learned,
        "rotary" or "rope" => PositionEncoding.Rotary,
        _ => throw new ArgumentException($"positions must be learned or rotary, got '{text}'"),
    };

    /// <summary>Reads a <see cref="Canonical"/> string back; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static ModelSpec Parse(string canonical) => ModelSpecParser.Parse(canonical);
}
