using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace P2PNode.Compression;

/// <summary>
/// Exact top-k by magnitude without sorting. For non-negative floats the bit pattern orders like the value,
/// so everything works on the bits of |x|:
/// 1. Estimate: histogram the top 15 bits of |x| over a strided sample (about 64k values) and take a
///    threshold T low enough that, with a generous margin, at least k values reach it.
/// 2. Collect (one vectorized pass): every index with |x| ≥ T becomes a candidate (about 1.3 k of them);
///    the same pass checks that every value is finite. If fewer than k reach T (the sample misled), T drops
///    to 0 and every index is a candidate: slower, still exact.
/// 3. Exact radix select among the candidates: histogram of the top 15 bits, then of the low 16 bits inside
///    the boundary bucket, gives the k-th largest |x|; ties at it go to the lower indices.
/// The result is therefore a pure function of the input (no randomness, no dependence on vector width).
/// Not thread-safe: one instance per encoder.
/// </summary>
internal sealed class TopKSelector
{
    private const int SampleTarget = 1 << 16;
    private readonly int[] _high = new int[1 << 15];
    private readonly int[] _low = new int[1 << 16];
    private int[] _candIndex = new int[1024];
    private float[] _candValue = new float[1024];

    /// <summary>Selects the k largest |a + b| (b empty: |a|). If <paramref name="storeWork"/> is set, b is
    /// overwritten with a + b, but only after every value was checked finite. Returns the selected indices
    /// (ascending) and their work values; both stay valid until the next call.</summary>
    public (ReadOnlyMemory<int> Indices, Memory<float> Values) Select(ReadOnlySpan<float> a, Span<float> b, int k, bool storeWork)
    {
        if (k == 0) return (ReadOnlyMemory<int>.Empty, Memory<float>.Empty);
        var threshold = EstimateThreshold(a, b, k);
        var c = Collect(a, b, threshold);
        if (c < k) c = Collect(a, b, 0);
        if (storeWork) StoreWork(a, b);
        var kept = SelectAmongCandidates(c, k);
        return (_candIndex.AsMemory(0, kept), _candValue.AsMemory(0, kept));
    }

    private uint EstimateThreshold(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k)
    {
        var n = a.Length;
        var stride = Math.Max(1, n / SampleTarget);
        var hasB = !b.IsEmpty;
        Array.Clear(_high);
        var samples = 0;
        for (var i = 0; i < n; i += stride, samples++)
        {
            var x = hasB ? a[i] + b[i] : a[i];
            // Non-finite values land in the top buckets; Collect reports them properly.
            _high[(BitConverter.SingleToUInt32Bits(x) & 0x7FFFFFFFu) >> 16]++;
        }
        // Rank in the sample that the k-th largest corresponds to, widened by 25% and four standard deviations.
        var expected = (double)k * samples / n;
        var rank = (int)Math.Min(samples, Math.Ceiling(expected * 1.25 + 4 * Math.Sqrt(expected) + 8));
        var above = 0;
        var bucket = _high.Length - 1;
        while (bucket > 0 && above + _high[bucket] < rank) above += _high[bucket--];
        return (uint)bucket << 16;
    }

    /// <summary>Candidates: all i with bits(|a[i] + b[i]|) ≥ threshold, in index order. Also the finiteness check.</summary>
    private int Collect(ReadOnlySpan<float> a, ReadOnlySpan<float> b, uint threshold)
    {
        var n = a.Length;
        var hasB = !b.IsEmpty;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var vabs = Vector256.Create(0x7FFFFFFFu);
        var vt = Vector256.Create(threshold);
        var vmax = Vector256<uint>.Zero;
        var c = 0;
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var x = Vector256.LoadUnsafe(ref ra, (nuint)i);
            if (hasB) x += Vector256.LoadUnsafe(ref rb, (nuint)i);
            var bits = x.AsUInt32() & vabs;
            vmax = Vector256.Max(vmax, bits);
            var mask = Vector256.GreaterThanOrEqual(bits, vt).ExtractMostSignificantBits();
            if (mask == 0) continue;
            EnsureCapacity(c + 8);
            while (mask != 0)
            {
                var lane = BitOperations.TrailingZeroCount(mask);
                _candIndex[c] = i + lane;
                _candValue[c++] = x.GetElement(lane);
                mask &= mask - 1;
            }
        }
        var bad = Vector256.GreaterThanOrEqualAny(vmax, Vector256.Create(0x7F800000u));
        for (; i < n; i++)
        {
            var x = hasB ? Unsafe.Add(ref ra, i) + Unsafe.Add(ref rb, i) : Unsafe.Add(ref ra, i);
            var bits = BitConverter.SingleToUInt32Bits(x) & 0x7FFFFFFFu;
            bad |= bits >= 0x7F800000u;
            if (bits < threshold) continue;
            EnsureCapacity(c + 1);
            _candIndex[c] = i;
            _candValue[c++] = x;
        }
        if (bad) ThrowNonFinite(a, b);
        return c;
    }

    private static void StoreWork(ReadOnlySpan<float> a, Span<float> b)
    {
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var i = 0;
        for (; i + 8 <= a.Length; i += 8)
            (Vector256.LoadUnsafe(ref ra, (nuint)i) + Vector256.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rb, (nuint)i);
        for (; i < a.Length; i++) b[i] = a[i] + b[i];
    }

    /// <summary>Radix select of the k largest among the c candidates, compacted in place in index order.</summary>
    private int SelectAmongCandidates(int c, int k)
    {
        var ci = _candIndex;
        var cv = _candValue;
        if (c == k) return k;
        Array.Clear(_high);
        for (var j = 0; j < c; j++) _high[(BitConverter.SingleToUInt32Bits(cv[j]) & 0x7FFFFFFFu) >> 16]++;
        var above = 0;
        var bucket = _high.Length - 1;
        while (above + _high[bucket] < k) above += _high[bucket--];
        var need = k - above;

        Array.Clear(_low);
        for (var j = 0; j < c; j++)
        {
            var bits = BitConverter.SingleToUInt32Bits(cv[j]) & 0x7FFFFFFFu;
            if (bits >> 16 == (uint)bucket) _low[bits & 0xFFFF]++;
        }
        var lowAbove = 0;
        var t = _low.Length - 1;
        while (lowAbove + _low[t] < need) lowAbove += _low[t--];
        var threshold = (uint)bucket << 16 | (uint)t;
        var ties = need - lowAbove;

        var kept = 0;
        for (var j = 0; j < c; j++)
        {
            var bits = BitConverter.SingleToUInt32Bits(cv[j]) & 0x7FFFFFFFu;
            if (bits > threshold || (bits == threshold && ties-- > 0))
            {
                ci[kept] = ci[j];
                cv[kept++] = cv[j];
            }
        }
        return kept;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _candIndex.Length) return;
        var size = Math.Max(needed, _candIndex.Length * 2);
        Array.Resize(ref _candIndex, size);
        Array.Resize(ref _candValue, size);
    }

    private static void ThrowNonFinite(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            var x = b.IsEmpty ? a[i] : a[i] + b[i];
            if (!float.IsFinite(x))
                throw new ArgumentException(b.IsEmpty
                    ? $"delta[{i}] is {a[i]}: only finite values can be encoded"
                    : $"delta[{i}] + residual[{i}] = {a[i]} + {b[i]} is not finite: only finite values can be encoded");
        }
    }
}
