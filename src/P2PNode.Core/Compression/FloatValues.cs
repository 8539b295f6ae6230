using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace P2PNode.Compression;

/// <summary>
/// Encoder side of the float value codecs. fp16 saturates at ±65504 instead of overflowing to infinity and
/// bf16 at ±3.3895e38 (the largest finite bf16); the part that does not fit stays in the residual. Rounding is
/// to nearest even, so |decoded| is within a factor 2 of |x| and x - decoded is exact, except for fp16 inputs
/// of magnitude 2^29 or more, where the saturated residual itself is rounded (documented in docs/deltas.md).
/// </summary>
internal static class FloatValues
{
    /// <summary>Throws <see cref="ArgumentException"/> at the first non-finite a + b (b empty: a).</summary>
    public static void CheckFinite(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var hasB = !b.IsEmpty;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var abs = Vector256.Create(0x7FFFFFFF);
        var vmax = Vector256<int>.Zero;
        var i = 0;
        for (; i + 8 <= a.Length; i += 8)
        {
            var x = Vector256.LoadUnsafe(ref ra, (nuint)i);
            if (hasB) x += Vector256.LoadUnsafe(ref rb, (nuint)i);
            vmax = Vector256.Max(vmax, x.AsInt32() & abs);
        }
        var bad = Vector256.GreaterThanOrEqualAny(vmax, Vector256.Create(0x7F800000));
        for (; i < a.Length; i++)
            bad |= !float.IsFinite(hasB ? Unsafe.Add(ref ra, i) + Unsafe.Add(ref rb, i) : Unsafe.Add(ref ra, i));
        if (!bad) return;
        for (i = 0; i < a.Length; i++)
        {
            var x = hasB ? a[i] + b[i] : a[i];
            if (!float.IsFinite(x))
                throw new ArgumentException(hasB
                    ? $"delta[{i}] + residual[{i}] = {a[i]} + {b[i]} is not finite: only finite values can be encoded"
                    : $"delta[{i}] is {a[i]}: only finite values can be encoded");
        }
    }

    /// <summary>Writes x = a + b in the codec's format; residualOut (may alias b, may be empty) gets x - decoded.</summary>
    public static void Encode(DeltaValueCodec codec, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<byte> dst, Span<float> residualOut)
    {
        var hasB = !b.IsEmpty;
        var hasR = !residualOut.IsEmpty;
        switch (codec)
        {
            case DeltaValueCodec.Float32:
                var f = MemoryMarshal.Cast<byte, float>(dst);
                for (var i = 0; i < a.Length; i++)
                {
                    f[i] = hasB ? a[i] + b[i] : a[i];
                    if (hasR) residualOut[i] = 0f;
                }
                break;
            case DeltaValueCodec.Float16:
                var hv = MemoryMarshal.Cast<byte, Half>(dst);
                for (var i = 0; i < a.Length; i++)
                {
                    var x = hasB ? a[i] + b[i] : a[i];
                    var h = (Half)Math.Clamp(x, -65504f, 65504f);
                    hv[i] = h;
                    if (hasR) residualOut[i] = x - (float)h;
                }
                break;
            case DeltaValueCodec.BFloat16:
                EncodeBFloat16(a, b, MemoryMarshal.Cast<byte, ushort>(dst), residualOut);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, "not a float codec");
        }
    }

    /// <summary>bf16 = top 16 bits after adding 0x7FFF + (bit 16) (round to nearest even); a result that
    /// rounded up to infinity steps back to the largest finite bf16.</summary>
    private static void EncodeBFloat16(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<ushort> dst, Span<float> residualOut)
    {
        var hasB = !b.IsEmpty;
        var hasR = !residualOut.IsEmpty;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rr = ref MemoryMarshal.GetReference(residualOut);
        ref var rd = ref MemoryMarshal.GetReference(dst);
        var i = 0;
        for (; i + 16 <= a.Length; i += 16)
        {
            var x0 = Vector256.LoadUnsafe(ref ra, (nuint)i);
            var x1 = Vector256.LoadUnsafe(ref ra, (nuint)i + 8);
            if (hasB)
            {
                x0 += Vector256.LoadUnsafe(ref rb, (nuint)i);
                x1 += Vector256.LoadUnsafe(ref rb, (nuint)i + 8);
            }
            var t0 = RoundToBFloat16(x0);
            var t1 = RoundToBFloat16(x1);
            if (hasR)
            {
                (x0 - (t0 << 16).AsSingle()).StoreUnsafe(ref rr, (nuint)i);
                (x1 - (t1 << 16).AsSingle()).StoreUnsafe(ref rr, (nuint)i + 8);
            }
            Vector256.Narrow(t0, t1).StoreUnsafe(ref rd, (nuint)i);
        }
        for (; i < a.Length; i++)
        {
            var x = hasB ? a[i] + b[i] : a[i];
            var u = BitConverter.SingleToUInt32Bits(x);
            var top = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
            if ((top & 0x7FFFu) == 0x7F80u) top--;
            dst[i] = (ushort)top;
            if (hasR) residualOut[i] = x - BitConverter.UInt32BitsToSingle(top << 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RoundToBFloat16(Vector256<float> x)
    {
        var u = x.AsUInt32();
        var top = (u + Vector256.Create(0x7FFFu) + ((u >> 16) & Vector256<uint>.One)) >> 16;
        // All-ones lanes (= -1) where the rounding reached infinity: add them to step back by one.
        return top + Vector256.Equals(top & Vector256.Create(0x7FFFu), Vector256.Create(0x7F80u));
    }
}
