using System.Globalization;
using P2PNode.Config;
using P2PNode.Training.Trainer;

namespace P2PNode.Cli.Commands;

/// <summary>
/// A node's corpus flags for language-model runs (`run --run ID`, the swarm's baselines): --held-out-percent P,
/// --train-bytes N, --train-fraction F, --corpus-bytes N, --tokenizer-file F, --device D. The corpus path itself is
/// --corpus; each falls back to node.toml's [training] section where it has a key.
/// </summary>
internal sealed record LmDataFlags
{
    public int? HeldOutPercent { get; init; }
    public long? TrainBytes { get; init; }
    public double? TrainFraction { get; init; }
    public long? CorpusBytes { get; init; }
    public string? TokenizerFile { get; init; }
    public string? Device { get; init; }

    /// <summary>The flags given, or null when none was.</summary>
    public static LmDataFlags? Read(Args a)
    {
        var f = new LmDataFlags
        {
            HeldOutPercent = a.GetInt("held-out-percent", 1, 50),
            TrainBytes = a.GetInt("train-bytes", 1),
            TrainFraction = a.GetDouble("train-fraction"),
            CorpusBytes = a.GetInt("corpus-bytes", 1024),
            TokenizerFile = a.Get("tokenizer-file"),
            Device = a.Get("device"),
        };
        if (f.TrainFraction is { } tf && !(tf > 0 && tf <= 1)) throw new UsageException($"--train-fraction must be in (0, 1], got {tf}");
        return f == new LmDataFlags() ? null : f;
    }

    /// <summary>The corpus settings with node.toml's [training] keys filling what the flags leave open.</summary>
    public CorpusSettings With(string? corpus, TrainingSection config) => new(
        corpus ?? config.Data ?? throw new InvalidDataException("a language-model run needs this node's text: --corpus PATH or [training] data in node.toml"),
        (HeldOutPercent ?? config.HeldOutPercent) / 100.0,
        TrainBytes ?? (config.TrainBytes > 0 ? config.TrainBytes : null),
        TrainFraction, CorpusBytes, TokenizerFile);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"held out {HeldOutPercent}%, train bytes {TrainBytes}, fraction {TrainFraction}");
}
