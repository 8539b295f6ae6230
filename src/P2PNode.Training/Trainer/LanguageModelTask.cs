using P2PNode.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Training.Trainer;

/// <summary>
/// Next-byte prediction on raw bytes. A training sample is a window of context+1 bytes at a uniformly random
/// start (our generator, purpose "batches"): inputs are its first context bytes, targets the last context. An
/// "epoch" is (train length − 1) / context samples, the number of non-overlapping windows. Evaluation uses
/// the non-overlapping windows of the held-out bytes from the start, in order.
/// </summary>
public sealed class LanguageModelTask : TrainingTask
{
    private readonly byte[] _train;
    private readonly byte[] _eval;
    private readonly int _context;
    private readonly DeterministicRng _rng;

    public LanguageModelTask(byte[] train, byte[] eval, int context, long seed)
    {
        if (context < 1) throw new ArgumentException($"context must be >= 1, got {context}");
        if (train.Length < context + 1) throw new ArgumentException($"training text has {train.Length} bytes, need at least context + 1 = {context + 1}");
        if (eval.Length < context + 1) throw new ArgumentException($"held-out text has {eval.Length} bytes, need at least context + 1 = {context + 1}");
        _train = train;
        _eval = eval;
        _context = context;
        _rng = DeterministicRng.ForPurpose(seed, "batches");
    }

    public override long EpochSamples => (_train.Length - 1) / _context;

    internal override bool IsLanguageModel => true;

    public override void CheckCompatible(ModelSpec spec)
    {
        if (spec.Kind != ModelKind.Lm) throw new ArgumentException($"a language-model task needs the lm model, not {spec.Kind}");
        if (_context > spec.Context) throw new ArgumentException($"task context {_context} exceeds the model context {spec.Context}");
    }

    internal override (Tensor Inputs, Tensor Targets, int Samples) NextBatch(int batchSize, Device device)
    {
        var starts = new int[batchSize];
        for (var i = 0; i < batchSize; i++) starts[i] = _rng.NextInt(_train.Length - _context);
        return Windows(_train, starts, device);
    }

    internal override IEnumerable<(Tensor Inputs, Tensor Targets, int Samples)> EvalBatches(int batchSize, int maxSamples, Device device)
    {
        var windows = Math.Min(maxSamples, (_eval.Length - 1) / _context);
        for (var i = 0; i < windows; i += batchSize)
        {
            var starts = Enumerable.Range(i, Math.Min(batchSize, windows - i)).Select(w => w * _context).ToArray();
            yield return Windows(_eval, starts, device);
        }
    }

    private (Tensor, Tensor, int) Windows(byte[] text, int[] starts, Device device)
    {
        var x = new long[starts.Length * _context];
        var y = new long[starts.Length * _context];
        for (var i = 0; i < starts.Length; i++)
            for (var j = 0; j < _context; j++)
            {
                x[i * _context + j] = text[starts[i] + j];
                y[i * _context + j] = text[starts[i] + j + 1];
            }
        long[] shape = [starts.Length, _context];
        return (torch.tensor(x, shape, device: device), torch.tensor(y, shape, device: device), starts.Length);
    }
}
