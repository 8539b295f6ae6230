namespace P2PNode.Training.Runtime;

/// <summary>
/// A fixed sparse random projection of a model to a few numbers, the same on every node of a run (seeded by the
/// run's seed): ‖sketch(a) − sketch(b)‖ / ‖sketch(a)‖ estimates how far two nodes' models are apart without
/// sending them. Each value sums <see cref="Taps"/> parameters with random signs.
/// </summary>
public sealed class ModelSketch
{
    public const int Size = 32;
    private const int Taps = 4096;
    private readonly int[][] _index;
    private readonly float[][] _sign;

    public ModelSketch(long seed, int parameters)
    {
        var rng = new Random(unchecked((int)(seed * 7919 + 17)));
        _index = new int[Size][];
        _sign = new float[Size][];
        var taps = Math.Min(Taps, parameters);
        for (var j = 0; j < Size; j++)
        {
            _index[j] = new int[taps];
            _sign[j] = new float[taps];
            for (var t = 0; t < taps; t++)
            {
                _index[j][t] = rng.Next(parameters);
                _sign[j][t] = rng.Next(2) == 0 ? -1f : 1f;
            }
        }
    }

    public float[] Of(ReadOnlySpan<float> model)
    {
        var s = new float[Size];
        for (var j = 0; j < Size; j++)
        {
            double sum = 0;
            var idx = _index[j];
            var sign = _sign[j];
            for (var t = 0; t < idx.Length; t++) sum += sign[t] * model[idx[t]];
            s[j] = (float)sum;
        }
        return s;
    }

    /// <summary>‖a − b‖ / ‖a‖ (0 when a is all zeros and b equals it).</summary>
    public static double RelativeDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("sketches of different sizes");
        double diff = 0, norm = 0;
        for (var i = 0; i < a.Length; i++)
        {
            diff += (double)(a[i] - b[i]) * (a[i] - b[i]);
            norm += (double)a[i] * a[i];
        }
        return norm == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff / norm);
    }
}
