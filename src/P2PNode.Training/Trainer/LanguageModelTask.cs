using P2PNode.Training.Models;
using P2PNode.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Training.Trainer;

/// <summary>
/// Next-token prediction. A training sample is a window of context+1 tokens at a uniformly random start (our
/// generator, purpose "batches"): inputs are its first context tokens, targets the last context. An "epoch" is
/// (train length − 1) / context samples, the number of non-overlapping windows. Evaluation uses the non-overlapping
/// windows of the held-out tokens in order (a capped subset: windows spread evenly over the whole text), and counts the UTF-8 bytes its targets stand for, so
/// <see cref="EvalStats.BitsPerByte"/> compares models across tokenizers.
/// </summary>
public sealed class LanguageModelTask : TrainingTask
{
    private readonly ITokenStream _train;
    private readonly ITokenStream _eval;
    private readonly int _context;
    private readonly DeterministicRng _rng;
    private readonly int[] _tokenBytes;

    public TextTokenizer Tokenizer { get; }

    /// <summary>Byte-level text held in memory (the byte tokenizer).</summary>
    public LanguageModelTask(byte[] train, byte[] eval, int context, long seed)
        : this(ArrayTokenStream.FromBytes(train), ArrayTokenStream.FromBytes(eval), ByteTokenizer.Instance, context, seed) { }

    public LanguageModelTask(ITokenStream train, ITokenStream eval, TextTokenizer tokenizer, int context, long seed)
    {
        if (context < 1) throw new ArgumentException($"context must be >= 1, got {context}");
        if (train.Length < context + 1) throw new ArgumentException($"training text has {train.Length} tokens, need at least context + 1 = {context + 1}");
        if (eval.Length < context + 1) throw new ArgumentException($"held-out text has {eval.Length} tokens, need at least context + 1 = {context + 1}");
        (_train, _eval, _context, Tokenizer) = (train, eval, context, tokenizer);
        _rng = DeterministicRng.ForPurpose(seed, "batches");
        _tokenBytes = new int[tokenizer.VocabularySize];
        for (var id = 0; id < _tokenBytes.Length; id++) _tokenBytes[id] = tokenizer.TokenByteLength(id);
    }

    public override long EpochSamples => (_train.Length - 1) / _context;

    /// <summary>Tokens of the held-out part (its non-overlapping windows are what evaluation scores).</summary>
    public long HeldOutTokens => _eval.Length;

    internal override bool IsLanguageModel => true;

    public override void CheckCompatible(ModelSpec spec)
    {
        if (spec.Kind != ModelKind.Lm) throw new ArgumentException($"a language-model task needs the lm model, not {spec.Kind}");
        if (_context > spec.Context) throw new ArgumentException($"task context {_context} exceeds the model context {spec.Context}");
        if (Tokenizer.VocabularySize != spec.Vocabulary)
            throw new ArgumentException($"the data's tokenizer {Tokenizer.Name} has {Tokenizer.VocabularySize} tokens, the model {spec.Vocabulary}");
        var pinned = spec.TokenizerSha256 ?? ByteTokenizer.Instance.Sha256Hex; // lm/v1 is the byte model
        if (Tokenizer.Sha256Hex != pinned)
            throw new ArgumentException($"the data was tokenized with {Tokenizer} but the run pins tokenizer {spec.Tokenizer} sha256 {pinned[..16]}…");
    }

    internal override (Tensor Inputs, Tensor Targets, int Samples) NextBatch(int batchSize, Device device)
    {
        var starts = new long[batchSize];
        for (var i = 0; i < batchSize; i++) starts[i] = _rng.NextLong(_train.Length - _context);
        var (x, y, _) = Windows(_train, starts, device);
        return (x, y, batchSize);
    }

    internal override IEnumerable<(Tensor Inputs, Tensor Targets, int Samples, long Bytes)> EvalBatches(int batchSize, int maxSamples, Device device)
    {
        // A subset is spread evenly over the held-out text: its first windows alone (a table of contents, one
        // chapter) scored about 0.2 bits per byte lower than the whole set, so per-round curves flattered the model.
        var total = (_eval.Length - 1) / _context;
        var windows = Math.Min(maxSamples, total);
        for (long i = 0; i < windows; i += batchSize)
        {
            var n = (int)Math.Min(batchSize, windows - i);
            var starts = new long[n];
            for (var j = 0; j < n; j++) starts[j] = (i + j) * total / windows * _context;
            var (x, y, bytes) = Windows(_eval, starts, device);
            yield return (x, y, n, bytes);
        }
    }

    private (Tensor, Tensor, long) Windows(ITokenStream text, long[] starts, Device device)
    {
        var x = new long[starts.Length * _context];
        var y = new long[starts.Length * _context];
        var window = new long[_context + 1];
        long bytes = 0;
        for (var i = 0; i < starts.Length; i++)
        {
            text.Read(starts[i], window);
            window.AsSpan(0, _context).CopyTo(x.AsSpan(i * _context));
            window.AsSpan(1).CopyTo(y.AsSpan(i * _context));
            for (var j = 1; j <= _context; j++) bytes += _tokenBytes[window[j]];
        }
        long[] shape = [starts.Length, _context];
        return (torch.tensor(x, shape, device: device), torch.tensor(y, shape, device: device), bytes);
    }
}
