using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace P2PNode.Compression;

/// <summary>
/// Decoder side of the scale and value sections: validation (every scale and code is checked before any
/// output is written) and decoding of a range of values. Decoded values are exactly what the encoder's error
/// feedback assumed: fl(code · scale), the binary16/bfloat16 value widened, or the binary32 value.
/// </summary>
internal static class ValueSection
{
    private static readonly float[] HalfToSingle = BuildHalfTable();

    private static float[] BuildHalfTable()
    {
        var table = new float[65536];
        for (var h = 0; h < table.Length; h++) table[h] = (float)BitConverter.UInt16BitsToHalf((ushort)h);
        return table;
    }

    /// <summary>Checks scales (finite, non-negative, L · scale finite) and values (finite, codes in
    /// [-L, L], int4 padding nibble zero). Offsets in messages are payload offsets.</summary>
    public static void Validate(in DeltaHeader h, ReadOnlySpan<byte> scales, ReadOnlySpan<byte> values)
    {
        if (h.BlockSize > 0)
        {
            var levels = DeltaFormat.Levels(h.Values);
            for (var b = 0; b < h.ScaleCount; b++)
            {
                var s = BinaryPrimitives.ReadSingleLittleEndian(scales[(4 * b)..]);
                if (!float.IsFinite(s) || float.IsNegative(s))
                    throw new DeltaFormatException($"scale #{b} at offset {h.ScalesOffset + 4 * b} is {Text(s)}: scales must be finite and non-negative");
                if ((double)s * levels > float.MaxValue)
                    throw new DeltaFormatException($"scale #{b} at offset {h.ScalesOffset + 4 * b} is {Text(s)}: {levels} × scale overflows float32");
            }
        }
        switch (h.Values)
        {
            case DeltaValueCodec.Float32:
                var f = MemoryMarshal.Cast<byte, int>(values);
                for (var j = 0; j < f.Length; j++)
                    if ((f[j] & 0x7FFFFFFF) >= 0x7F800000) throw BadValue(h, j, 4, "float32 value is NaN or infinite");
                break;
            case DeltaValueCodec.Float16:
                var hv = MemoryMarshal.Cast<byte, ushort>(values);
                for (var j = 0; j < hv.Length; j++)
                    if ((hv[j] & 0x7C00) == 0x7C00) throw BadValue(h, j, 2, "float16 value is NaN or infinite");
                break;
            case DeltaValueCodec.BFloat16:
                var bv = MemoryMarshal.Cast<byte, ushort>(values);
                for (var j = 0; j < bv.Length; j++)
                    if ((bv[j] & 0x7F80) == 0x7F80) throw BadValue(h, j, 2, "bfloat16 value is NaN or infinite");
                break;
            case DeltaValueCodec.Int8:
                var at = values.IndexOf((byte)0x80);
                if (at >= 0) throw BadValue(h, at, 1, "int8 code -128 is outside the symmetric range [-127, 127]");
                break;
            case DeltaValueCodec.Int4:
                for (var j = 0; j < values.Length; j++)
                {
                    var b = values[j];
                    if ((b & 0x0F) == 0x08) throw BadValue(h, 2 * j, 0, "int4 code -8 is outside the symmetric range [-7, 7]");
                    if ((b & 0xF0) == 0x80) throw BadValue(h, 2 * j + 1, 0, "int4 code -8 is outside the symmetric range [-7, 7]");
                }
                if (h.ValueCount % 2 == 1 && values.Length > 0 && values[^1] >> 4 != 0)
                    throw new DeltaFormatException($"int4 padding nibble (high half of the last byte, offset {h.ValuesOffset + values.Length - 1}) must be 0");
                break;
        }
    }

    private static string Text(float s) => s.ToString("R", CultureInfo.InvariantCulture);

    private static DeltaFormatException BadValue(in DeltaHeader h, int j, int width, string what) =>
        new($"value #{j} at offset {h.ValuesOffset + (width == 0 ? j / 2 : (long)j * width)}: {what}");

    /// <summary>Decodes values [start, start + dst.Length) of a validated section. For int4, start is even.</summary>
    public static void Decode(in DeltaHeader h, ReadOnlySpan<byte> scales, ReadOnlySpan<byte> values, int start, Span<float> dst)
    {
        switch (h.Values)
        {
            case DeltaValueCodec.Float32:
                MemoryMarshal.Cast<byte, float>(values).Slice(start, dst.Length).CopyTo(dst);
                break;
            case DeltaValueCodec.Float16:
                var hv = MemoryMarshal.Cast<byte, ushort>(values).Slice(start, dst.Length);
                for (var j = 0; j < dst.Length; j++) dst[j] = HalfToSingle[hv[j]];
                break;
            case DeltaValueCodec.BFloat16:
                DecodeBFloat16(MemoryMarshal.Cast<byte, ushort>(values).Slice(start, dst.Length), dst);
                break;
            case DeltaValueCodec.Int8:
            case DeltaValueCodec.Int4:
                DecodeQuantized(h, MemoryMarshal.Cast<byte, float>(scales), values, start, dst);
                break;
        }
    }

    private static void DecodeBFloat16(ReadOnlySpan<ushort> src, Span<float> dst)
    {
        var j = 0;
        ref var rs = ref MemoryMarshal.GetReference(src);
        ref var rd = ref MemoryMarshal.GetReference(dst);
        for (; j + 16 <= src.Length; j += 16)
        {
            var v = Vector256.LoadUnsafe(ref rs, (nuint)j);
            var (lo, hi) = Vector256.Widen(v);
            Vector256.ShiftLeft(lo, 16).AsSingle().StoreUnsafe(ref rd, (nuint)j);
            Vector256.ShiftLeft(hi, 16).AsSingle().StoreUnsafe(ref rd, (nuint)j + 8);
        }
        for (; j < src.Length; j++) dst[j] = BitConverter.Int32BitsToSingle(src[j] << 16);
    }

    private static void DecodeQuantized(in DeltaHeader h, ReadOnlySpan<float> scales, ReadOnlySpan<byte> codes, int start, Span<float> dst)
    {
        var bs = h.BlockSize;
        var int4 = h.Values == DeltaValueCodec.Int4;
        ref var rc = ref MemoryMarshal.GetReference(codes);
        ref var rd = ref MemoryMarshal.GetReference(dst);
        var pos = start;
        var end = start + dst.Length;
        while (pos < end)
        {
            var blk = pos / bs;
            var blockEnd = Math.Min(end, (blk + 1) * bs);
            var s = scales[blk];
            var vs = Vector256.Create(s);
            var i = pos;
            if (int4)
            {
                // Block starts are even (even block size) and start is even, so i stays even here.
                for (; i + 32 <= blockEnd; i += 32)
                {
                    // Spread each byte's nibbles into two bytes (low first), then sign-extend 4 → 8 bits.
                    var b = Vector128.LoadUnsafe(ref rc, (nuint)(i >> 1));
                    var w = Vector256.Create(Vector128.WidenLower(b), Vector128.WidenUpper(b));
                    w = (w & Vector256.Create((ushort)0x000F)) | ((w & Vector256.Create((ushort)0x00F0)) << 4);
                    var signed = (w.AsSByte() ^ Vector256.Create((sbyte)8)) - Vector256.Create((sbyte)8);
                    Store32(signed, vs, ref Unsafe.Add(ref rd, i - start));
                }
                for (; i < blockEnd; i++)
                {
                    var b = Unsafe.Add(ref rc, i >> 1);
                    var code = (i & 1) == 0 ? (sbyte)(b << 4) >> 4 : (sbyte)b >> 4;
                    Unsafe.Add(ref rd, i - start) = code * s;
                }
            }
            else
            {
                for (; i + 32 <= blockEnd; i += 32)
                    Store32(Vector256.LoadUnsafe(ref rc, (nuint)i).AsSByte(), vs, ref Unsafe.Add(ref rd, i - start));
                for (; i < blockEnd; i++) Unsafe.Add(ref rd, i - start) = (sbyte)Unsafe.Add(ref rc, i) * s;
            }
            pos = blockEnd;
        }
    }

    /// <summary>32 codes → 32 floats fl(code · scale), in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store32(Vector256<sbyte> codes, Vector256<float> scale, ref float dst)
    {
        var (s0, s1) = Vector256.Widen(codes);
        var (i0, i1) = Vector256.Widen(s0);
        var (i2, i3) = Vector256.Widen(s1);
        (Vector256.ConvertToSingle(i0) * scale).StoreUnsafe(ref dst);
        (Vector256.ConvertToSingle(i1) * scale).StoreUnsafe(ref dst, 8);
        (Vector256.ConvertToSingle(i2) * scale).StoreUnsafe(ref dst, 16);
        (Vector256.ConvertToSingle(i3) * scale).StoreUnsafe(ref dst, 24);
    }
}
