using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace P2PNode.Compression;

/// <summary>
/// Blockwise symmetric absmax quantization (encoder side). For each block: scale = absmax / L (L = 127 for
/// int8, 7 for int4), code q = clamp(roundEven(x · fl(1/scale)), -L, L), decoded value fl(q · scale).
/// Symmetric rather than min/max affine: pseudo-gradients are centred on zero, zero stays exactly zero (a
/// block of zeros costs nothing in error), and one scale per block is 4 bytes instead of 8. Round to nearest
/// even rather than stochastic rounding: error feedback already removes the bias over rounds, and a
/// deterministic encoder gives the same bytes (and payload hash) for the same input.
///
/// One tweak makes error feedback exact: where q = ±1 but |x| &lt; |decoded|/2 (possible only through the
/// rounding of x · (1/scale) at the 0.5 boundary) q becomes 0. Then every sent value d satisfies
/// d/2 ≤ x ≤ 2d or d = 0, so x - d is exact (Sterbenz) and d + (x - d) == x bit for bit.
/// </summary>
internal static class BlockQuantizer
{
    /// <summary>Blocks whose largest magnitude is below 2^-119 are sent with scale 0 (all codes 0): this
    /// keeps scale and 1/scale normal floats; error feedback keeps such tiny values for later.</summary>
    public const float MinAbsMax = 1.5046328e-36f; // 2^-119

    /// <summary>Scale for a block with this absmax; never lets L · scale overflow (the decoder checks it).</summary>
    public static float ScaleFor(float absMax, int levels)
    {
        if (absMax < MinAbsMax) return 0f;
        var s = absMax / levels;
        if ((double)s * levels > float.MaxValue) s = MathF.BitDecrement(s);
        return s;
    }

    /// <summary>Pass 1: the scale of each block of work = a + b (b empty: work = a). Throws
    /// <see cref="ArgumentException"/> at the first non-finite work value, before anything is mutated.</summary>
    public static void ComputeScales(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int blockSize, int levels, Span<float> scales)
    {
        var n = a.Length;
        var hasB = !b.IsEmpty;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        for (var blk = 0; blk < scales.Length; blk++)
        {
            var start = blk * blockSize;
            var end = Math.Min(n, start + blockSize);
            var i = start;
            var vmax = Vector256<int>.Zero;
            var abs = Vector256.Create(0x7FFFFFFF);
            for (; i + 8 <= end; i += 8)
            {
                var x = Vector256.LoadUnsafe(ref ra, (nuint)i);
                if (hasB) x += Vector256.LoadUnsafe(ref rb, (nuint)i);
                vmax = Vector256.Max(vmax, x.AsInt32() & abs);
            }
            var max = 0;
            for (var l = 0; l < 8; l++) max = Math.Max(max, vmax.GetElement(l));
            for (; i < end; i++)
            {
                var x = hasB ? Unsafe.Add(ref ra, i) + Unsafe.Add(ref rb, i) : Unsafe.Add(ref ra, i);
                max = Math.Max(max, BitConverter.SingleToInt32Bits(x) & 0x7FFFFFFF);
            }
            if (max >= 0x7F800000) ThrowNonFinite(a, b, start, end);
            scales[blk] = ScaleFor(BitConverter.Int32BitsToSingle(max), levels);
        }
    }

    /// <summary>Pass 2: codes for work = a + b with the given scales; residualOut (may alias b, may be empty)
    /// receives work - decoded. Int8 writes one byte per value, Int4 two values per byte (low nibble first).</summary>
    public static void Quantize(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> scales, int blockSize,
        DeltaValueCodec codec, Span<byte> codes, Span<float> residualOut)
    {
        var n = a.Length;
        var levels = DeltaFormat.Levels(codec);
        var int4 = codec == DeltaValueCodec.Int4;
        var hasB = !b.IsEmpty;
        var hasR = !residualOut.IsEmpty;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rr = ref MemoryMarshal.GetReference(residualOut);
        ref var rc = ref MemoryMarshal.GetReference(codes);
        var vl = Vector256.Create((float)levels);
        var vnl = -vl;
        var nibble = Vector256.Create(0xFL);
        for (var blk = 0; blk < scales.Length; blk++)
        {
            var start = blk * blockSize;
            var end = Math.Min(n, start + blockSize);
            var s = scales[blk];
            var inv = s == 0f ? 0f : 1f / s;
            var vs = Vector256.Create(s);
            var vinv = Vector256.Create(inv);
            var i = start;
            for (; i + 8 <= end; i += 8)
            {
                var x = Vector256.LoadUnsafe(ref ra, (nuint)i);
                if (hasB) x += Vector256.LoadUnsafe(ref rb, (nuint)i);
                var q = Vector256.Min(Vector256.Max(Vector256.Round(x * vinv), vnl), vl);
                var d = q * vs;
                var fix = Vector256.LessThan(Vector256.Abs(x) * 2f, Vector256.Abs(d));
                q = Vector256.AndNot(q, fix);
                d = Vector256.AndNot(d, fix);
                if (hasR) (x - d).StoreUnsafe(ref rr, (nuint)i);
                var qi = Vector256.ConvertToInt32(q);
                if (int4)
                {
                    // Lanes (2m, 2m+1) form one long: keep both nibbles and fold the high one down by 28 bits.
                    var pairs = qi.AsInt64() & (nibble | (nibble << 32));
                    pairs |= Vector256.ShiftRightLogical(pairs, 28);
                    ref var dst = ref Unsafe.Add(ref rc, i >> 1);
                    var packed = (uint)(byte)pairs.GetElement(0) | (uint)(byte)pairs.GetElement(1) << 8
                        | (uint)(byte)pairs.GetElement(2) << 16 | (uint)(byte)pairs.GetElement(3) << 24;
                    Unsafe.WriteUnaligned(ref dst, packed);
                }
                else
                {
                    var shorts = Vector128.Narrow(qi.GetLower(), qi.GetUpper());
                    var bytes = Vector128.Narrow(shorts, shorts);
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref rc, i), bytes.AsInt64().ToScalar());
                }
            }
            for (; i < end; i++)
            {
                var x = hasB ? Unsafe.Add(ref ra, i) + Unsafe.Add(ref rb, i) : Unsafe.Add(ref ra, i);
                var q = Math.Clamp(MathF.Round(x * inv), -levels, levels);
                var d = q * s;
                if (Math.Abs(x) * 2f < Math.Abs(d)) (q, d) = (0f, 0f);
                if (hasR) Unsafe.Add(ref rr, i) = x - d;
                var code = (int)q;
                if (!int4)
                {
                    Unsafe.Add(ref rc, i) = (byte)(sbyte)code;
                }
                else if ((i & 1) == 0)
                {
                    Unsafe.Add(ref rc, i >> 1) = (byte)(code & 0xF); // high nibble stays 0 if this is the last value
                }
                else
                {
                    Unsafe.Add(ref rc, i >> 1) |= (byte)((code & 0xF) << 4);
                }
            }
        }
    }

    private static void ThrowNonFinite(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            var x = b.IsEmpty ? a[i] : a[i] + b[i];
            if (!float.IsFinite(x))
                throw new ArgumentException(b.IsEmpty
                    ? $"delta[{i}] is {a[i]}: only finite values can be encoded"
                    : $"delta[{i}] + residual[{i}] = {a[i]} + {b[i]} is not finite: only finite values can be encoded");
        }
        throw new InvalidOperationException("non-finite value vanished during rescan");
    }
}
