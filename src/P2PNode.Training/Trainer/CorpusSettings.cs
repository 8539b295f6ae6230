namespace P2PNode.Training.Trainer;

/// <summary>Where a node's text is and how much of it trains: the tail <paramref name="HeldOutFraction"/> is held out;
/// of the rest, at most <paramref name="TrainBytes"/> bytes, or the first <paramref name="TrainFraction"/> of it (a
/// low-resource node); <paramref name="CorpusBytes"/> caps how much of the corpus is read at all (experiments).</summary>
public sealed record CorpusSettings(string Path, double HeldOutFraction = 0.1, long? TrainBytes = null, double? TrainFraction = null,
    long? CorpusBytes = null, string? TokenizerFile = null);
