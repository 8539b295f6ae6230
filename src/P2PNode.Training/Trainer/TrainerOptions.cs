namespace P2PNode.Training.Trainer;

/// <summary>Inner-optimizer and evaluation settings of a <see cref="LocalTrainer"/>.</summary>
public sealed record TrainerOptions
{
    /// <summary>AdamW learning rate. 1e-3 trains the CNN to ~90% in one Fashion-MNIST epoch at batch 64; the LM likes 1e-3 to 3e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>AdamW decoupled weight decay (applied to every parameter). 0.01 is a mild default; 0 disables it.</summary>
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>AdamW first-moment decay.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>AdamW second-moment decay; 0.95 is steadier for transformers with small batches.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Linear warm-up: the learning rate rises from LearningRate/WarmupSteps to LearningRate over this many steps. 0 disables it.</summary>
    public int WarmupSteps { get; init; }
    /// <summary>
    /// Cosine decay: after warm-up the rate falls along a half cosine from LearningRate to
    /// FinalLearningRateFraction·LearningRate at this step, and stays there. Null keeps it constant (the usual
    /// choice for DiLoCo inner steps, where the run length is open); set it to the planned total for a fixed run.
    /// </summary>
    public long? ScheduleSteps { get; init; }
    /// <summary>Where the cosine decay ends, as a fraction of LearningRate.</summary>
    public double FinalLearningRateFraction { get; init; } = 0.1;
    /// <summary>Samples (images, or byte sequences of the model's context length) per inner step.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Clip the global gradient norm to this value before each step; null disables clipping.</summary>
    public double? GradientClip { get; init; }
    /// <summary>Samples per forward pass during evaluation (memory only, no effect on the result).</summary>
    public int EvalBatchSize { get; init; } = 500;
    /// <summary>Evaluate on at most this many held-out samples (the first ones); null uses them all.</summary>
    public int? MaxEvalSamples { get; init; }
    /// <summary>"auto" (CUDA if present, else CPU), "cpu", "cuda" or "cuda:N"; see <see cref="DeviceResolver"/>.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>The learning rate of the inner step numbered <paramref name="step"/> (0-based, counted over the trainer's life).</summary>
    public double LearningRateAt(long step)
    {
        if (step < WarmupSteps) return LearningRate * (step + 1) / WarmupSteps;
        if (ScheduleSteps is not { } total) return LearningRate;
        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / Math.Max(1, total - WarmupSteps));
        var f = FinalLearningRateFraction;
        return LearningRate * (f + (1 - f) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"learning rate must be > 0, got {LearningRate}");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentException($"weight decay must be >= 0, got {WeightDecay}");
        if (!(Beta1 >= 0 && Beta1 < 1) || !(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException($"betas must be in [0, 1), got {Beta1}, {Beta2}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be >= 1, got {BatchSize}");
        if (EvalBatchSize < 1) throw new ArgumentException($"eval batch size must be >= 1, got {EvalBatchSize}");
        if (GradientClip is { } c && !(c > 0)) throw new ArgumentException($"gradient clip must be > 0, got {c}");
        if (WarmupSteps < 0) throw new ArgumentException($"warm-up steps must be >= 0, got {WarmupSteps}");
        if (ScheduleSteps is < 1) throw new ArgumentException($"schedule steps must be >= 1, got {ScheduleSteps}");
        if (!(FinalLearningRateFraction >= 0 && FinalLearningRateFraction <= 1)) throw new ArgumentException($"final learning-rate fraction must be in [0, 1], got {FinalLearningRateFraction}");
        if (MaxEvalSamples is < 1) throw new ArgumentException($"max eval samples must be >= 1, got {MaxEvalSamples}");
    }
}
