using System.Diagnostics;
using P2PNode.Training.Models;
using P2PNode.Training.State;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace P2PNode.Training.Trainer;

/// <summary>
/// One node's local training: a model built deterministically from (spec, seed), an AdamW inner optimizer, and a
/// <see cref="TrainingTask"/> that supplies batches. This is the piece DiLoCo rounds drive: SetFlat(θr),
/// TrainSteps(H), GetFlat() → θlocal, and the pseudo-gradient is θr − θlocal.
/// </summary>
/// <remarks>
/// Threading: every method is synchronous and must be called by one thread at a time (a second concurrent call
/// throws). Each step runs inside its own <c>torch.NewDisposeScope()</c>; scopes are thread-static, so never call
/// these methods from code that awaits in the middle of them — run training on a dedicated thread and hand
/// results to async code through a channel. The AdamW state lives across calls (and across SetFlat, as DiLoCo's
/// inner optimizer does); call <see cref="ResetOptimizer"/> to drop it.
/// </remarks>
public sealed class LocalTrainer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly TrainingTask _task;
    private readonly TrainerOptions _options;
    private readonly ModelState _state;
    private readonly List<Parameter> _parameters;
    // Made at the first step: a trainer that only evaluates (the round thread's scorer, inference) never holds AdamW's
    // two extra copies of the parameters (at the GPT-2-small shape, a gigabyte).
    private InnerAdamW? _optimizer;
    private int _busy;
    private bool _disposed;

    public ModelSpec Spec { get; }
    public Device Device { get; }
    public ParameterLayout Layout => _state.Layout;
    /// <summary>Number of float32 values in the flat state.</summary>
    public long ParameterCount => _state.Layout.Total;
    /// <summary>Inner steps needed to show every training sample once (ceil(samples / batch)).</summary>
    public long StepsPerEpoch => (_task.EpochSamples + _options.BatchSize - 1) / _options.BatchSize;
    public long StepsDone { get; private set; }
    public long SamplesSeen { get; private set; }

    /// <param name="seed">The run's seed: the initial model (and torch's generator) depend only on it and the spec, so every node starts identical.</param>
    public LocalTrainer(ModelSpec spec, long seed, TrainingTask task, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(task);
        NativeAllocator.Configure();
        _options = options ?? new TrainerOptions();
        _options.Validate();
        task.CheckCompatible(spec);
        Spec = spec;
        _task = task;
        Device = DeviceResolver.Resolve(_options.Device);
        torch.manual_seed(seed);
        _model = ModelFactory.Create(spec, seed);
        if (Device.type != DeviceType.CPU) _model.to(Device);
        _state = new ModelState(spec, _model);
        _parameters = _model.parameters().ToList();
    }

    /// <summary>Runs <paramref name="steps"/> inner AdamW steps. A non-finite loss stops training with an <see cref="InvalidOperationException"/>.</summary>
    public StepStats TrainSteps(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        using var guard = Enter();
        var clock = Stopwatch.StartNew();
        _model.train();
        double lossSum = 0, last = double.NaN;
        long samples = 0;
        for (var i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y, n) = _task.NextBatch(_options.BatchSize, Device);
            _optimizer ??= NewOptimizer();
            _optimizer.ZeroGrad();
            var loss = Loss(_model.forward(x), y);
            loss.backward();
            if (_options.GradientClip is { } clip) nn.utils.clip_grad_norm_(_parameters, clip);
            _optimizer.Step(_options.LearningRateAt(StepsDone));
            last = loss.item<float>();
            if (!double.IsFinite(last))
                throw new InvalidOperationException($"training diverged: loss is {last} at step {StepsDone + 1} (lower the learning rate or enable gradient clipping)");
            lossSum += last * n;
            samples += n;
            StepsDone++;
            SamplesSeen += n;
        }
        return new StepStats(steps, samples, samples > 0 ? lossSum / samples : double.NaN, last, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Scores the model on the task's held-out data (at most <see cref="TrainerOptions.MaxEvalSamples"/> samples).</summary>
    public EvalStats Evaluate() => Evaluate(_task);

    /// <summary>Scores the model on another task's held-out data (the centralized baseline on each node's text).</summary>
    public EvalStats Evaluate(TrainingTask on)
    {
        ArgumentNullException.ThrowIfNull(on);
        on.CheckCompatible(Spec);
        using var guard = Enter();
        var clock = Stopwatch.StartNew();
        _model.eval();
        double lossSum = 0;
        long correct = 0, samples = 0, targets = 0, bytes = 0;
        try
        {
            using var noGrad = torch.no_grad();
            using var batches = on.EvalBatches(_options.EvalBatchSize, _options.MaxEvalSamples ?? int.MaxValue, Device).GetEnumerator();
            while (true)
            {
                // The scope opens before MoveNext so the batch tensors the iterator creates belong to it.
                using var scope = torch.NewDisposeScope();
                if (!batches.MoveNext()) break;
                var batch = batches.Current;
                var logits = _model.forward(batch.Inputs);
                var flatLogits = logits.reshape(-1, logits.shape[^1]);
                var flatTargets = batch.Targets.reshape(-1);
                lossSum += nn.functional.cross_entropy(flatLogits, flatTargets, reduction: nn.Reduction.Sum).item<float>();
                targets += flatTargets.shape[0];
                bytes += batch.Bytes;
                if (!on.IsLanguageModel) correct += flatLogits.argmax(1).eq(flatTargets).sum().item<long>();
                samples += batch.Samples;
            }
        }
        finally { _model.train(); }
        if (samples == 0) throw new InvalidOperationException("no held-out samples to evaluate on");
        var loss = lossSum / targets;
        // Bits per byte: the targets' total loss in bits over the UTF-8 bytes they stand for, so models with different
        // tokenizers compare (with the byte tokenizer it is loss / ln 2).
        return on.IsLanguageModel
            ? new EvalStats(samples, loss, null, lossSum / Math.Log(2) / bytes, clock.Elapsed.TotalSeconds)
            : new EvalStats(samples, loss, (double)correct / samples, null, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The model state as one float32 vector in <see cref="Layout"/> order (a copy).</summary>
    public float[] GetFlat() { using var g = Enter(); return _state.GetFlat(); }

    /// <summary>Overwrites the model state; the length must be <see cref="ParameterCount"/> and every value finite.</summary>
    public void SetFlat(ReadOnlySpan<float> flat) { using var g = Enter(); _state.SetFlat(flat); }

    /// <summary>SHA-256 model hash (see <see cref="ModelHasher"/>).</summary>
    public byte[] ModelHash() { using var g = Enter(); return _state.Hash(); }

    public void SaveCheckpoint(Stream output, IReadOnlyDictionary<string, string>? extraMetadata = null) { using var g = Enter(); _state.SaveCheckpoint(output, extraMetadata); }

    /// <summary>Strict load (see <see cref="Checkpoint"/>); on any error the model is unchanged.</summary>
    public LoadedCheckpoint LoadCheckpoint(Stream input) { using var g = Enter(); return _state.LoadCheckpoint(input); }

    public void ExportSafetensors(Stream output) { using var g = Enter(); _state.ExportSafetensors(output); }

    /// <summary>Forgets AdamW's moment estimates (e.g. after joining a run mid-way).</summary>
    public void ResetOptimizer()
    {
        using var g = Enter();
        _optimizer?.Dispose();
        _optimizer = null;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _optimizer?.Dispose();
        _model.Dispose();
    }

    private InnerAdamW NewOptimizer() => new(_parameters, _options.Beta1, _options.Beta2, _options.WeightDecay);

    private static Tensor Loss(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1));

    private Guard Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new InvalidOperationException("LocalTrainer is already in use by another call; use it from one thread at a time");
        return new Guard(this);
    }

    private readonly struct Guard(LocalTrainer owner) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref owner._busy, 0);
    }
}
