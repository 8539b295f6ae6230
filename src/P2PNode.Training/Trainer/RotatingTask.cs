using P2PNode.Training.Models;
using static TorchSharp.torch;

namespace P2PNode.Training.Trainer;

/// <summary>
/// The centralized baseline's data: the nodes' own tasks taken in turn, one whole batch from each (node 0, 1, …, N−1,
/// 0, …). Over N·S steps it sees exactly the batches N nodes see in S steps each, so it answers "what if all this text
/// had been pooled in one place, with the same compute". Evaluate it on each node's task separately
/// (<see cref="LocalTrainer.Evaluate(TrainingTask)"/>).
/// </summary>
public sealed class RotatingTask : TrainingTask
{
    private readonly IReadOnlyList<TrainingTask> _tasks;
    private int _next;

    public RotatingTask(IReadOnlyList<TrainingTask> tasks)
    {
        if (tasks.Count == 0) throw new ArgumentException("at least one task is needed");
        if (tasks.Select(t => t.IsLanguageModel).Distinct().Count() > 1) throw new ArgumentException("tasks mix language models and classifiers");
        _tasks = tasks;
    }

    public override long EpochSamples => _tasks.Sum(t => t.EpochSamples);

    internal override bool IsLanguageModel => _tasks[0].IsLanguageModel;

    public override void CheckCompatible(ModelSpec spec)
    {
        foreach (var t in _tasks) t.CheckCompatible(spec);
    }

    internal override (Tensor Inputs, Tensor Targets, int Samples) NextBatch(int batchSize, Device device)
    {
        var task = _tasks[_next];
        _next = (_next + 1) % _tasks.Count;
        return task.NextBatch(batchSize, device);
    }

    internal override IEnumerable<(Tensor Inputs, Tensor Targets, int Samples, long Bytes)> EvalBatches(int batchSize, int maxSamples, Device device) =>
        throw new NotSupportedException("evaluate a rotating task on each of its tasks (LocalTrainer.Evaluate(task))");
}
