using P2PNode.Training.Participation;

namespace P2PNode.Cli.Commands;

/// <summary>
/// A node's corpus flags for language-model runs (`run --run ID`, the swarm's baselines): --held-out-percent P,
/// --train-bytes N, --train-fraction F, --corpus-bytes N, --tokenizer-file F, --device D (<see cref="LmDataOptions"/>).
/// The corpus path itself is --corpus.
/// </summary>
internal static class LmDataFlags
{
    /// <summary>The flags given, or null when none was.</summary>
    public static LmDataOptions? Read(Args a)
    {
        var f = new LmDataOptions
        {
            HeldOutPercent = a.GetInt("held-out-percent", 1, 50),
            TrainBytes = a.GetInt("train-bytes", 1),
            TrainFraction = a.GetDouble("train-fraction"),
            CorpusBytes = a.GetInt("corpus-bytes", 1024),
            TokenizerFile = a.Get("tokenizer-file"),
            Device = a.Get("device"),
        };
        if (f.TrainFraction is { } tf && !(tf > 0 && tf <= 1)) throw new UsageException($"--train-fraction must be in (0, 1], got {tf}");
        return f == new LmDataOptions() ? null : f;
    }
}
