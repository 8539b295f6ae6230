namespace P2PNode.Aggregation;

/// <summary>
/// The outer step applied to the averaged pseudo-gradient each round. Defaults are DiLoCo's (Douillard et al.
/// 2023): SGD with Nesterov momentum, lr 0.7, momentum 0.9. <see cref="PlainAveraging"/> (lr 1, no momentum)
/// makes the new model exactly the average of the local models: θ - mean(θ - θ_local) = mean(θ_local).
/// </summary>
public sealed record OuterOptimizerOptions
{
    /// <summary>Outer learning rate. 0.7 with Nesterov is DiLoCo's tuned value for H ≈ 500 inner steps;
    /// lower it (0.3–0.5) when few nodes contribute per round and the average is noisy.</summary>
    public float LearningRate { get; init; } = 0.7f;

    /// <summary>Momentum coefficient in [0, 1). 0 disables the buffer (then Nesterov has no effect).</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Nesterov look-ahead (PyTorch <c>nesterov=True</c>): step along g + μ·buf instead of buf.</summary>
    public bool Nesterov { get; init; } = true;

    /// <summary>lr 1, no momentum: the next model is the (robust) average of the contributed models.</summary>
    public static OuterOptimizerOptions PlainAveraging { get; } = new() { LearningRate = 1f, Momentum = 0f, Nesterov = false };

    /// <summary>Throws <see cref="ArgumentException"/> for a learning rate that is not finite and positive
    /// or a momentum outside [0, 1).</summary>
    public void Validate()
    {
        if (!float.IsFinite(LearningRate) || LearningRate <= 0)
            throw new ArgumentException($"outer learning rate must be finite and > 0, got {LearningRate}", nameof(LearningRate));
        if (!(Momentum >= 0 && Momentum < 1))
            throw new ArgumentException($"outer momentum must be in [0, 1), got {Momentum}", nameof(Momentum));
    }
}
