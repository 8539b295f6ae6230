using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace P2PNode.Aggregation;

/// <summary>
/// Reductions whose rounding does not depend on the CPU: fixed 4-lane double accumulators (Vector256 has
/// the same lane semantics accelerated or not) and per-coordinate sums in a fixed contribution order.
/// </summary>
internal static class DeterministicMath
{
    private const int Chunk = 2048;

    public static int FirstNonFinite(ReadOnlySpan<float> x)
    {
        for (var i = 0; i < x.Length; i++)
            if (!float.IsFinite(x[i])) return i;
        return -1;
    }

    /// <summary>L2 norm: four interleaved double partial sums (lane l takes i ≡ l mod 4 within each group of
    /// four), combined as ((s0 + s1) + (s2 + s3)) + tail, then the square root.</summary>
    public static double Norm(ReadOnlySpan<float> x)
    {
        ref var rx = ref MemoryMarshal.GetReference(x);
        var acc = Vector256<double>.Zero;
        var i = 0;
        for (; i + 4 <= x.Length; i += 4)
        {
            var v = Vector256.WidenLower(Vector128.LoadUnsafe(ref rx, (nuint)i).ToVector256Unsafe());
            acc += v * v;
        }
        var tail = 0.0;
        for (; i < x.Length; i++) tail += (double)x[i] * x[i];
        return Math.Sqrt(acc[0] + acc[1] + (acc[2] + acc[3]) + tail);
    }

    /// <summary>out[j] = (float)(Σ_i (w_i·c_i)·x_ij / Σ_i w_i), i in canonical order, in double.</summary>
    public static void WeightedMean(ReadOnlyMemory<float>[] deltas, double[] weights, double[] factors, Span<float> output)
    {
        var totalWeight = 0.0;
        foreach (var w in weights) totalWeight += w;
        var acc = new double[Chunk];
        for (var start = 0; start < output.Length; start += Chunk)
        {
            var count = Math.Min(Chunk, output.Length - start);
            Array.Clear(acc);
            for (var c = 0; c < deltas.Length; c++)
                AddScaled(acc.AsSpan(0, count), deltas[c].Span.Slice(start, count), weights[c] * factors[c]);
            for (var j = 0; j < count; j++) output[start + j] = (float)(acc[j] / totalWeight);
        }
    }

    private static void AddScaled(Span<double> acc, ReadOnlySpan<float> x, double f)
    {
        ref var ra = ref MemoryMarshal.GetReference(acc);
        ref var rx = ref MemoryMarshal.GetReference(x);
        var vf = Vector256.Create(f);
        var j = 0;
        for (; j + 8 <= x.Length; j += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref rx, (nuint)j));
            (Vector256.LoadUnsafe(ref ra, (nuint)j) + vf * lo).StoreUnsafe(ref ra, (nuint)j);
            (Vector256.LoadUnsafe(ref ra, (nuint)j + 4) + vf * hi).StoreUnsafe(ref ra, (nuint)j + 4);
        }
        for (; j < x.Length; j++) acc[j] += f * x[j];
    }

    /// <summary>Per coordinate: v_i = c_i·x_ij (double), sorted ascending by (v, canonical position); drop
    /// <paramref name="trim"/> from each end; out = Σ w_i·v_i / Σ w_i over the rest, summed in sorted order.</summary>
    public static void TrimmedMean(ReadOnlyMemory<float>[] deltas, double[] weights, double[] factors, int trim, Span<float> output)
    {
        var m = deltas.Length;
        var values = new double[m];
        var order = new int[m];
        for (var j = 0; j < output.Length; j++)
        {
            for (var i = 0; i < m; i++)
            {
                values[i] = factors[i] * deltas[i].Span[j];
                order[i] = i;
            }
            // Insertion sort: m is small (peers per round) and it is stable, so equal values keep canonical order.
            for (var a = 1; a < m; a++)
            {
                var key = order[a];
                var b = a - 1;
                while (b >= 0 && values[order[b]] > values[key])
                {
                    order[b + 1] = order[b];
                    b--;
                }
                order[b + 1] = key;
            }
            double sum = 0, weight = 0;
            for (var r = trim; r < m - trim; r++)
            {
                sum += weights[order[r]] * values[order[r]];
                weight += weights[order[r]];
            }
            output[j] = (float)(sum / weight);
        }
    }
}
