using System.Buffers.Binary;

namespace P2PNode.Compression;

/// <summary>Byte layout constants of the delta payload, version 1, and the header codec. See docs/deltas.md.</summary>
internal static class DeltaFormat
{
    public const int HeaderSize = 24;
    public const byte Version = 1;

    /// <summary>"P2DL" — lets a reader tell a delta from any other blob before trusting a length field.</summary>
    public static ReadOnlySpan<byte> Magic => "P2DL"u8;

    /// <summary>Codes a symmetric quantizer of each kind may produce: [-Levels, Levels].</summary>
    public static int Levels(DeltaValueCodec codec) => codec == DeltaValueCodec.Int8 ? 127 : 7;

    public static void WriteHeader(Span<byte> dst, in DeltaHeader h)
    {
        Magic.CopyTo(dst);
        dst[4] = h.Version;
        dst[5] = (byte)h.Values;
        dst[6] = (byte)h.Indices;
        dst[7] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(dst[8..], (uint)h.ElementCount);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[12..], (uint)h.ValueCount);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[16..], (uint)h.BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[20..], (uint)h.IndexBytes);
    }

    /// <summary>Parses and checks the header against the payload length and the expected parameter count
    /// (negative: any count). Everything after the header is checked by <see cref="DeltaPayload"/>.</summary>
    public static DeltaHeader ReadHeader(ReadOnlySpan<byte> p, int expectedLength)
    {
        if (p.Length < HeaderSize)
            throw new DeltaFormatException($"payload truncated: {p.Length} bytes, the header alone needs {HeaderSize}");
        if (!p[..4].SequenceEqual(Magic))
            throw new DeltaFormatException($"bad magic {Convert.ToHexString(p[..4])}, expected 5032444C (\"P2DL\")");
        if (p[4] != Version)
            throw new DeltaFormatException($"unsupported payload version {p[4]} (this decoder reads version {Version})");
        var values = (DeltaValueCodec)p[5];
        if (!Enum.IsDefined(values))
            throw new DeltaFormatException($"unknown value codec id {p[5]} at offset 5 (known: 1 fp32, 2 fp16, 3 bf16, 4 int8, 5 int4)");
        var indices = (DeltaIndexEncoding)p[6];
        if (!Enum.IsDefined(indices))
            throw new DeltaFormatException($"unknown index encoding {p[6]} at offset 6 (known: 0 dense, 1 delta varint, 2 bitmap)");
        if (p[7] != 0)
            throw new DeltaFormatException($"reserved byte at offset 7 is {p[7]}, must be 0");
        var n = BinaryPrimitives.ReadUInt32LittleEndian(p[8..]);
        var k = BinaryPrimitives.ReadUInt32LittleEndian(p[12..]);
        var bs = BinaryPrimitives.ReadUInt32LittleEndian(p[16..]);
        var ib = BinaryPrimitives.ReadUInt32LittleEndian(p[20..]);
        if (n > int.MaxValue)
            throw new DeltaFormatException($"element count {n} exceeds the maximum {int.MaxValue}");
        if (expectedLength >= 0 && n != (uint)expectedLength)
            throw new DeltaFormatException($"payload declares {n} elements, expected {expectedLength}");
        if (k > n)
            throw new DeltaFormatException($"value count {k} exceeds element count {n}");
        var quantized = values is DeltaValueCodec.Int8 or DeltaValueCodec.Int4;
        if (quantized)
        {
            if (bs < 1 || bs > DeltaCodecSpec.MaxBlockSize)
                throw new DeltaFormatException($"block size {bs} out of range [1, {DeltaCodecSpec.MaxBlockSize}]");
            if (values == DeltaValueCodec.Int4 && bs % 2 != 0)
                throw new DeltaFormatException($"int4 block size {bs} must be even");
        }
        else if (bs != 0)
        {
            throw new DeltaFormatException($"block size {bs} given for a non-quantized codec, must be 0");
        }
        switch (indices)
        {
            case DeltaIndexEncoding.Dense:
                if (k != n) throw new DeltaFormatException($"dense payload has value count {k} but element count {n}");
                if (ib != 0) throw new DeltaFormatException($"dense payload declares an index section of {ib} bytes, must be 0");
                break;
            case DeltaIndexEncoding.DeltaVarint:
                if (ib < k || ib > 5L * k)
                    throw new DeltaFormatException($"varint index section of {ib} bytes cannot hold {k} indices (needs {k}..{5L * k} bytes)");
                break;
            case DeltaIndexEncoding.Bitmap:
                if (ib != (n + 7L) / 8)
                    throw new DeltaFormatException($"bitmap index section is {ib} bytes, must be ceil({n}/8) = {(n + 7L) / 8}");
                break;
        }
        if (ib > int.MaxValue)
            throw new DeltaFormatException($"payload truncated: {p.Length} bytes, index section alone declares {ib}");
        var h = new DeltaHeader(p[4], values, indices, (int)n, (int)k, (int)bs, (int)ib);
        if (p.Length < h.TotalLength)
            throw new DeltaFormatException($"payload truncated: {p.Length} bytes, header declares {h.TotalLength}");
        if (p.Length > h.TotalLength)
            throw new DeltaFormatException($"{p.Length - h.TotalLength} trailing bytes after the {h.TotalLength}-byte payload");
        return h;
    }
}
