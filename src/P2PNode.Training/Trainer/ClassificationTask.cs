using P2PNode.Training.Data;
using P2PNode.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Training.Trainer;

/// <summary>
/// Image classification on index subsets of a <see cref="LabeledDataset"/>. Training visits the train indices in
/// epochs: each epoch is a fresh permutation (our generator, purpose "batches/{seed}"), cut into batches, the
/// last one possibly smaller, so one epoch shows every sample exactly once.
/// </summary>
public sealed class ClassificationTask : TrainingTask
{
    private readonly LabeledDataset _data;
    private readonly LabeledDataset _evalData;
    private readonly int[] _train;
    private readonly int[] _eval;
    private readonly DeterministicRng _rng;
    private readonly int[] _order;
    private int _cursor;

    /// <param name="seed">Batch-order seed; give every node its own (e.g. run seed + node index).</param>
    public ClassificationTask(LabeledDataset data, int[] trainIndices, int[] evalIndices, long seed)
        : this(data, trainIndices, data, evalIndices, seed) { }

    /// <summary>Training indices into <paramref name="trainData"/>, held-out indices into <paramref name="evalData"/>.</summary>
    public ClassificationTask(LabeledDataset trainData, int[] trainIndices, LabeledDataset evalData, int[] evalIndices, long seed)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(evalData);
        if (trainIndices.Length == 0) throw new ArgumentException("no training samples");
        if (!trainData.SampleShape.SequenceEqual(evalData.SampleShape)) throw new ArgumentException("training and held-out samples differ in shape");
        foreach (var i in trainIndices)
            if ((uint)i >= (uint)trainData.Count) throw new ArgumentException($"training index {i} is outside [0, {trainData.Count})");
        foreach (var i in evalIndices)
            if ((uint)i >= (uint)evalData.Count) throw new ArgumentException($"held-out index {i} is outside [0, {evalData.Count})");
        _data = trainData;
        _evalData = evalData;
        _train = trainIndices;
        _eval = evalIndices;
        _rng = DeterministicRng.ForPurpose(seed, "batches");
        _order = (int[])trainIndices.Clone();
        _cursor = _order.Length; // shuffle on first use
    }

    /// <summary>A task over the whole of <paramref name="train"/> with the whole of <paramref name="test"/> held out (the centralised baseline).</summary>
    public static ClassificationTask Centralized(LabeledDataset train, LabeledDataset test, long seed) =>
        new(train, Enumerable.Range(0, train.Count).ToArray(), test, Enumerable.Range(0, test.Count).ToArray(), seed);

    public override long EpochSamples => _train.Length;

    public int EvalCount => _eval.Length;

    internal override bool IsLanguageModel => false;

    public override void CheckCompatible(ModelSpec spec)
    {
        if (!spec.IsClassifier) throw new ArgumentException($"a classification task needs a classifier model, not {spec.Kind}");
        int[] expected = [spec.InputChannels, spec.ImageSize, spec.ImageSize];
        if (!_data.SampleShape.SequenceEqual(expected))
            throw new ArgumentException($"samples are [{string.Join(",", _data.SampleShape)}] but the model expects [{string.Join(",", expected)}]");
        if (Math.Max(_data.Classes, _evalData.Classes) > spec.Classes) throw new ArgumentException($"data has {_data.Classes} classes, the model only {spec.Classes}");
    }

    internal override (Tensor Inputs, Tensor Targets, int Samples) NextBatch(int batchSize, Device device)
    {
        if (_cursor >= _order.Length)
        {
            _rng.Shuffle(_order.AsSpan());
            _cursor = 0;
        }
        var n = Math.Min(batchSize, _order.Length - _cursor);
        var batch = Gather(_data, _order.AsSpan(_cursor, n), device);
        _cursor += n;
        return batch;
    }

    internal override IEnumerable<(Tensor Inputs, Tensor Targets, int Samples, long Bytes)> EvalBatches(int batchSize, int maxSamples, Device device)
    {
        var total = Math.Min(maxSamples, _eval.Length);
        for (var i = 0; i < total; i += batchSize)
        {
            var (x, y, n) = Gather(_evalData, _eval.AsSpan(i, Math.Min(batchSize, total - i)), device);
            yield return (x, y, n, 0);
        }
    }

    private static (Tensor, Tensor, int) Gather(LabeledDataset data, ReadOnlySpan<int> indices, Device device)
    {
        var size = data.SampleSize;
        var x = new float[indices.Length * size];
        var y = new long[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            data.Features.AsSpan(indices[i] * size, size).CopyTo(x.AsSpan(i * size));
            y[i] = data.Labels[indices[i]];
        }
        long[] shape = [indices.Length, .. data.SampleShape.Select(d => (long)d)];
        return (torch.tensor(x, shape, device: device), torch.tensor(y, device: device), indices.Length);
    }
}
