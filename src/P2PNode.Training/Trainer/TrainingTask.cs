using P2PNode.Training.Models;
using static TorchSharp.torch;

namespace P2PNode.Training.Trainer;

/// <summary>
/// What a <see cref="LocalTrainer"/> learns: where batches come from and how they are scored. The two
/// implementations are <see cref="ClassificationTask"/> and <see cref="LanguageModelTask"/>. Tensors only
/// appear on the internal surface, always created inside the caller's dispose scope.
/// </summary>
public abstract class TrainingTask
{
    private protected TrainingTask() { }

    /// <summary>Training samples in one epoch (one pass over the node's training data).</summary>
    public abstract long EpochSamples { get; }

    /// <summary>Throws <see cref="ArgumentException"/> when this task's data does not fit the model.</summary>
    public abstract void CheckCompatible(ModelSpec spec);

    internal abstract bool IsLanguageModel { get; }

    /// <summary>The next training batch (inputs, targets) on <paramref name="device"/>; may be smaller at an epoch's end.</summary>
    internal abstract (Tensor Inputs, Tensor Targets, int Samples) NextBatch(int batchSize, Device device);

    /// <summary>Held-out batches in a fixed order, at most <paramref name="maxSamples"/> samples in total. Bytes: the
    /// UTF-8 bytes the batch's target tokens stand for (language models, for bits per byte); 0 for classifiers.</summary>
    internal abstract IEnumerable<(Tensor Inputs, Tensor Targets, int Samples, long Bytes)> EvalBatches(int batchSize, int maxSamples, Device device);
}
