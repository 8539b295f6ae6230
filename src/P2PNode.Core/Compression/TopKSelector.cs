using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace P2PNode.Compression;

/// <summary>
/// Exact top-k by magnitude without sorting: a radix select on the bit pattern of |x| (for non-negative
/// floats the bit pattern orders like the value). Pass 1 histograms the top 15 bits of |x| and finds the
/// bucket holding the k-th largest; pass 2 collects every index at or above that bucket (and, with error
/// feedback, stores work = delta + residual). A second histogram on the low 16 bits of the few candidates in
/// the boundary bucket gives the exact threshold. Ties at the threshold go to the lower indices, so the
/// selection is a pure function of the input. Cost: two streaming passes, no allocation proportional to n
/// beyond the candidate list (about k entries for real data). Not thread-safe: one per encoder.
/// </summary>
internal sealed class TopKSelector
{
    private readonly int[] _high = new int[1 << 15];
    private readonly int[] _low = new int[1 << 16];
    private int[] _candIndex = [];
    private float[] _candValue = [];

    /// <summary>Selects the k largest |a + b| (b empty: |a|). If <paramref name="storeWork"/> is set, b is
    /// overwritten with a + b, but only after every value was checked finite. Returns the selected indices
    /// (ascending) and their work values; the spans stay valid until the next call.</summary>
    public (ReadOnlyMemory<int> Indices, Memory<float> Values) Select(ReadOnlySpan<float> a, Span<float> b, int k, bool storeWork)
    {
        var n = a.Length;
        var hasB = !b.IsEmpty;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);

        Array.Clear(_high);
        var high = _high;
        var bad = 0u;
        for (var i = 0; i < n; i++)
        {
            var x = hasB ? Unsafe.Add(ref ra, i) + Unsafe.Add(ref rb, i) : Unsafe.Add(ref ra, i);
            var bits = BitConverter.SingleToUInt32Bits(x) & 0x7FFFFFFFu;
            bad |= bits + 0x00800000u; // carries into bit 31 exactly when bits >= 0x7F800000 (NaN/Inf)
            high[bits >> 16]++;
        }
        if ((bad & 0x80000000u) != 0) ThrowNonFinite(a, b);

        // Boundary bucket: the highest bucket where the count from the top reaches k.
        var above = 0;
        var bucket = high.Length - 1;
        while (above + high[bucket] < k) above += high[bucket--];
        var need = k - above;
        var candidates = above + high[bucket];
        if (_candIndex.Length < candidates)
        {
            _candIndex = new int[Math.Max(candidates, _candIndex.Length * 2)];
            _candValue = new float[_candIndex.Length];
        }
        var ci = _candIndex;
        var cv = _candValue;
        var c = 0;
        var minBits = (uint)bucket << 16;
        for (var i = 0; i < n; i++)
        {
            var x = hasB ? Unsafe.Add(ref ra, i) + Unsafe.Add(ref rb, i) : Unsafe.Add(ref ra, i);
            if (storeWork) Unsafe.Add(ref rb, i) = x;
            if ((BitConverter.SingleToUInt32Bits(x) & 0x7FFFFFFFu) >= minBits)
            {
                ci[c] = i;
                cv[c++] = x;
            }
        }
        if (need == high[bucket]) return (ci.AsMemory(0, k), cv.AsMemory(0, k));

        // Exact threshold inside the boundary bucket from the low 16 bits.
        Array.Clear(_low);
        var low = _low;
        for (var j = 0; j < c; j++)
        {
            var bits = BitConverter.SingleToUInt32Bits(cv[j]) & 0x7FFFFFFFu;
            if (bits >> 16 == (uint)bucket) low[bits & 0xFFFF]++;
        }
        var lowAbove = 0;
        var t = low.Length - 1;
        while (lowAbove + low[t] < need) lowAbove += low[t--];
        var threshold = minBits | (uint)t;
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
        return (ci.AsMemory(0, kept), cv.AsMemory(0, kept));
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
