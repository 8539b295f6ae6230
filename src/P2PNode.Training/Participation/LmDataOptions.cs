using System.Globalization;
using P2PNode.Config;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Participation;

/// <summary>
/// A node's corpus settings for language-model runs beyond the corpus path (`run --run ID`, the swarm's baselines; the
/// CLI's flags --held-out-percent, --train-bytes, --train-fraction, --corpus-bytes, --tokenizer-file, --device); each
/// falls back to node.toml's [training] section where it has a key.
/// </summary>
public sealed record LmDataOptions
{
    public int? HeldOutPercent { get; init; }
    public long? TrainBytes { get; init; }
    public double? TrainFraction { get; init; }
    public long? CorpusBytes { get; init; }
    public string? TokenizerFile { get; init; }
    public string? Device { get; init; }

    /// <summary>The corpus settings with node.toml's [training] keys filling what the options leave open.</summary>
    public CorpusSettings With(string? corpus, TrainingSection config) => new(
        corpus ?? config.Data ?? throw new InvalidDataException("a language-model run needs this node's text: --corpus PATH or [training] data in node.toml"),
        (HeldOutPercent ?? config.HeldOutPercent) / 100.0,
        TrainBytes ?? (config.TrainBytes > 0 ? config.TrainBytes : null),
        TrainFraction, CorpusBytes, TokenizerFile);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"held out {HeldOutPercent}%, train bytes {TrainBytes}, fraction {TrainFraction}");
}
