namespace P2PNode.Config;

/// <summary>The [training] section: this node's own data and compute for training runs. Paths are absolute once loaded.</summary>
public sealed record TrainingSection
{
    /// <summary>This node's text corpus for language-model runs (a file or folder; docs/training.md lists the formats),
    /// or null. The text is read locally and never leaves the node. `run --corpus PATH` overrides it.</summary>
    public string? Data { get; init; }

    /// <summary>Percent of the corpus (its tail) held out for evaluation; held-out text never trains.</summary>
    public int HeldOutPercent { get; init; } = 10;

    /// <summary>Train on at most this many bytes of the training part (0 = all of it), e.g. to try a low-resource node.</summary>
    public long TrainBytes { get; init; }

    /// <summary>"auto" (CUDA when present, else CPU), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";
}
