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

    // ---- byte-level language model (lm)
    /// <summary>LM: transformer blocks. Cost grows linearly.</summary>
    public int Layers { get; init; } = 2;
    /// <summary>LM: model width (embedding size); must be divisible by <see cref="Heads"/>.</summary>
    public int Width { get; init; } = 128;
    /// <summary>LM: attention heads per block.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>LM: context length in bytes; cost grows quadratically in attention.</summary>
    public int Context { get; init; } = 64;

    /// <summary>LM vocabulary: bytes.</summary>
    public const int Vocabulary = 256;

    public static ModelSpec Cnn() => new() { Kind = ModelKind.Cnn };
    public static ModelSpec Mlp() => new() { Kind = ModelKind.Mlp, Hidden = 256 };
    public static ModelSpec Lm() => new() { Kind = ModelKind.Lm };

    /// <summary>The default spec for a CLI name: "cnn", "mlp" or "lm".</summary>
    public static ModelSpec ForName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "cnn" => Cnn(),
        "mlp" => Mlp(),
        "lm" => Lm(),
        _ => throw new ArgumentException($"unknown model '{name}' (expected cnn, mlp or lm)"),
    };

    public bool IsClassifier => Kind is ModelKind.Cnn or ModelKind.Mlp;

    /// <summary>
    /// Canonical text of the architecture, e.g. "cnn/v1 in=1x28x28 c1=32 c2=64 hidden=128 classes=10".
    /// Grammar: kind "/v1", then space-separated key=value pairs in the fixed order shown for each kind
    /// (cnn: in c1 c2 hidden classes; mlp: in hidden layers classes; lm: vocab layers width heads context).
    /// Changing a model's code in a way that changes its parameters must bump the version.
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
                _ => string.Create(CultureInfo.InvariantCulture, $"lm/v1 vocab={Vocabulary} layers={Layers} width={Width} heads={Heads} context={Context}"),
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
                break;
            default:
                throw new ArgumentException($"model spec: unknown kind {(int)Kind}");
        }
    }
}
