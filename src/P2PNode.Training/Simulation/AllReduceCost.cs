namespace P2PNode.Training.Simulation;

/// <summary>
/// What data-parallel training with a dense fp32 ring all-reduce after every step would send. In a ring
/// all-reduce (reduce-scatter then all-gather) each of N workers sends 2·(N−1)/N of the gradient, 4 bytes per
/// parameter: bytes per worker per step = 2·(N−1)/N · 4 · P.
/// </summary>
public static class AllReduceCost
{
    /// <summary>Bytes one worker sends for one dense fp32 ring all-reduce of <paramref name="parameters"/> values.</summary>
    public static double BytesPerStep(int workers, long parameters)
    {
        if (workers < 1) throw new ArgumentException($"workers must be >= 1, got {workers}");
        if (parameters < 0) throw new ArgumentException($"parameters must be >= 0, got {parameters}");
        return 2.0 * (workers - 1) / workers * 4.0 * parameters;
    }

    /// <summary>Bytes one worker sends over <paramref name="steps"/> steps (one all-reduce per step).</summary>
    public static double BytesPerWorker(int workers, long parameters, long steps) => BytesPerStep(workers, parameters) * steps;
}
