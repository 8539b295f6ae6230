using System.Numerics;

namespace P2PNode.Compression;

/// <summary>
/// Index sections of sparse payloads: ascending indices as LEB128 gap varints, or a bitmap. The encoder
/// measures both and sends the smaller (ties go to varints), so one payload costs
/// min(Σ varint sizes, ceil(n/8)) bytes of indices.
/// </summary>
internal static class IndexCodec
{
    public static int VarintSize(uint v) => v < 1u << 7 ? 1 : v < 1u << 14 ? 2 : v < 1u << 21 ? 3 : v < 1u << 28 ? 4 : 5;

    /// <summary>Bytes the gap-varint form of these strictly ascending indices takes.</summary>
    public static long VarintBytes(ReadOnlySpan<int> indices)
    {
        long total = 0;
        var prev = 0;
        for (var j = 0; j < indices.Length; j++)
        {
            total += VarintSize((uint)(indices[j] - prev));
            prev = indices[j];
        }
        return total;
    }

    public static void WriteVarints(ReadOnlySpan<int> indices, Span<byte> dst)
    {
        var pos = 0;
        var prev = 0;
        foreach (var index in indices)
        {
            var v = (uint)(index - prev);
            prev = index;
            while (v >= 0x80)
            {
                dst[pos++] = (byte)(v | 0x80);
                v >>= 7;
            }
            dst[pos++] = (byte)v;
        }
    }

    public static void WriteBitmap(ReadOnlySpan<int> indices, Span<byte> dst)
    {
        dst.Clear();
        foreach (var i in indices) dst[i >> 3] |= (byte)(1 << (i & 7));
    }

    /// <summary>Decodes and checks k gap varints filling <paramref name="src"/> exactly into
    /// <paramref name="indices"/>; <paramref name="baseOffset"/> is only for messages.</summary>
    public static void ReadVarints(ReadOnlySpan<byte> src, int n, Span<int> indices, long baseOffset)
    {
        var pos = 0;
        long index = 0;
        for (var j = 0; j < indices.Length; j++)
        {
            var start = pos;
            uint v = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (pos >= src.Length)
                    throw new DeltaFormatException($"index #{j}: varint at offset {baseOffset + start} runs past the end of the {src.Length}-byte index section");
                var b = src[pos++];
                if (shift == 28 && b > 0x0F)
                    throw new DeltaFormatException($"index #{j}: varint at offset {baseOffset + start} exceeds 32 bits");
                v |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    if (b == 0 && shift > 0)
                        throw new DeltaFormatException($"index #{j}: varint at offset {baseOffset + start} is not minimally encoded");
                    break;
                }
            }
            if (j > 0 && v == 0)
                throw new DeltaFormatException($"index #{j} duplicates index #{j - 1} ({index}): gap 0 at offset {baseOffset + start}");
            index = j == 0 ? v : index + v;
            if (index >= n)
                throw new DeltaFormatException($"index #{j} is {index}, out of range for {n} elements");
            indices[j] = (int)index;
        }
        if (pos != src.Length)
            throw new DeltaFormatException($"index section has {src.Length - pos} bytes left after {indices.Length} indices");
    }

    /// <summary>Checks a bitmap: popcount equals k and the padding bits past n are zero.</summary>
    public static void CheckBitmap(ReadOnlySpan<byte> bitmap, int n, int k)
    {
        long count = 0;
        var words = bitmap.Length / 8;
        var asLongs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bitmap[..(words * 8)]);
        foreach (var w in asLongs) count += BitOperations.PopCount(w);
        for (var i = words * 8; i < bitmap.Length; i++) count += BitOperations.PopCount(bitmap[i]);
        if (n % 8 != 0 && bitmap.Length > 0 && (bitmap[^1] >> (n % 8)) != 0)
            throw new DeltaFormatException($"bitmap has bits set past element {n} in its last byte 0x{bitmap[^1]:X2}");
        if (count != k)
            throw new DeltaFormatException($"bitmap marks {count} indices, header declares {k}");
    }

    /// <summary>Expands a checked bitmap into ascending indices.</summary>
    public static void ReadBitmap(ReadOnlySpan<byte> bitmap, Span<int> indices)
    {
        var j = 0;
        var words = bitmap.Length / 8;
        var asLongs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bitmap[..(words * 8)]);
        for (var w = 0; w < asLongs.Length; w++)
        {
            var bits = asLongs[w];
            while (bits != 0)
            {
                indices[j++] = w * 64 + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
            }
        }
        for (var i = words * 8; i < bitmap.Length; i++)
        {
            uint bits = bitmap[i];
            while (bits != 0)
            {
                indices[j++] = i * 8 + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
            }
        }
    }
}
