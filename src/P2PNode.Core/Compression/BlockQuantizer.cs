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

    /// <summary>Quantizes work = a + b (b empty: work = a) block by block: the block's absmax gives its scale
    /// (written to <paramref name="scales"/>), then its codes go to <paramref name="codes"/> (int8: one byte
    /// per value; int4: two per byte, low nibble first) and work - decoded to <paramref name="residualOut"/>
    /// (may alias b, may be empty). Throws <see cref="ArgumentException"/> at a non-finite block; a caller
    /// that must not see a half-updated residual checks finiteness first.</summary>
    public static void Encode(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> residualOut, int blockSize,
        DeltaValueCodec codec, Span<float> scales, Span<byte> codes)
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
        var abs = Vector256.Create(0x7FFFFFFF);
        var vl = Vector256.Create((float)levels);
        for (var blk = 0; blk < scales.Length; blk++)
        {
            var start = blk * blockSize;
            var end = Math.Min(n, start + blockSize);

            // Block absmax on the bit patterns (integer max orders non-negative floats; NaN/Inf sort on top).
            var i = start;
            var vmax = Vector256<int>.Zero;
            for (; i + 8 <= end; i += 8)
            {
                var x = Vector256.LoadUnsafe(ref ra, (nuint)i);
                if (hasB) x += Vector256.LoadUnsafe(ref rb, (nuint)i);
                vmax = Vector256.Max(vmax, x.AsInt32() & abs);
            }
            var m = Vector128.Max(vmax.GetLower(), vmax.GetUpper());
            m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
            m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
            var max = m.ToScalar();
            for (; i < end; i++)
            {
                var x = hasB ? Unsafe.Add(ref ra, i) + Unsafe.Add(ref rb, i) : Unsafe.Add(ref ra, i);
                max = Math.Max(max, BitConverter.SingleToInt32Bits(x) & 0x7FFFFFFF);
            }
            if (max >= 0x7F800000) ThrowNonFinite(a, b, start, end);
            var s = ScaleFor(BitConverter.Int32BitsToSingle(max), levels);
            scales[blk] = s;

            var inv = s == 0f ? 0f : 1f / s;
            var k = new Kernel(Vector256.Create(s), Vector256.Create(inv), vl);
            i = start;
            for (; i + 32 <= end; i += 32)
            {
                var q0 = k.Codes(Work(ref ra, ref rb, hasB, i), hasR, ref rr, i);
                var q1 = k.Codes(Work(ref ra, ref rb, hasB, i + 8), hasR, ref rr, i + 8);
                var q2 = k.Codes(Work(ref ra, ref rb, hasB, i + 16), hasR, ref rr, i + 16);
                var q3 = k.Codes(Work(ref ra, ref rb, hasB, i + 24), hasR, ref rr, i + 24);
                var bytes = Vector256.Narrow(Vector256.Narrow(q0, q1), Vector256.Narrow(q2, q3));
                if (!int4)
                {
                    bytes.AsByte().StoreUnsafe(ref rc, (nuint)i);
                }
                else
                {
                    // Each ushort holds (even code, odd code); fold to one byte: low nibble even, high nibble odd.
                    var u = bytes.AsUInt16();
                    var packed = (u & Vector256.Create((ushort)0x000F)) | (Vector256.ShiftRightLogical(u, 4) & Vector256.Create((ushort)0x00F0));
                    Vector256.Narrow(packed, packed).GetLower().StoreUnsafe(ref rc, (nuint)(i >> 1));
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
                    Unsafe.Add(ref rc, i) = (byte)(sbyte)code;
                else if ((i & 1) == 0)
                    Unsafe.Add(ref rc, i >> 1) = (byte)(code & 0xF); // high nibble stays 0 if this is the last value
                else
                    Unsafe.Add(ref rc, i >> 1) |= (byte)((code & 0xF) << 4);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Work(ref float ra, ref float rb, bool hasB, int i)
    {
        var x = Vector256.LoadUnsafe(ref ra, (nuint)i);
        return hasB ? x + Vector256.LoadUnsafe(ref rb, (nuint)i) : x;
    }

    /// <summary>The per-block constants and the 8-lane version of the scalar rule in the tail loop.</summary>
    private readonly struct Kernel(Vector256<float> scale, Vector256<float> inv, Vector256<float> levels)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<int> Codes(Vector256<float> x, bool hasR, ref float rr, int i)
        {
            var q = Vector256.Min(Vector256.Max(Vector256.Round(x * inv), -levels), levels);
            var d = q * scale;
            var fix = Vector256.LessThan(Vector256.Abs(x) * 2f, Vector256.Abs(d));
            q = Vector256.AndNot(q, fix);
            d = Vector256.AndNot(d, fix);
            if (hasR) (x - d).StoreUnsafe(ref rr, (nuint)i);
            return Vector256.ConvertToInt32Native(q); // q is already clamped: no saturation needed
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
