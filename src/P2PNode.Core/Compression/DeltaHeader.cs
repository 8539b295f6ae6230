namespace P2PNode.Compression;

/// <summary>
/// The fixed 24-byte header of a delta payload, already checked for internal consistency by
/// <see cref="DeltaDecoder.ReadHeader"/> (see docs/deltas.md for the byte layout).
/// </summary>
public readonly record struct DeltaHeader(
    byte Version,
    DeltaValueCodec Values,
    DeltaIndexEncoding Indices,
    int ElementCount,
    int ValueCount,
    int BlockSize,
    int IndexBytes)
{
    /// <summary>Number of float32 scales (quantized codecs): ceil(ValueCount / BlockSize), else 0.</summary>
    public int ScaleCount => BlockSize == 0 ? 0 : (int)(((long)ValueCount + BlockSize - 1) / BlockSize);

    /// <summary>Bytes of the value section.</summary>
    public long ValueBytes => Values switch
    {
        DeltaValueCodec.Float32 => 4L * ValueCount,
        DeltaValueCodec.Float16 or DeltaValueCodec.BFloat16 => 2L * ValueCount,
        DeltaValueCodec.Int8 => ValueCount,
        DeltaValueCodec.Int4 => ((long)ValueCount + 1) / 2,
        _ => 0,
    };

    /// <summary>Offset of the scale section (right after the index section).</summary>
    public long ScalesOffset => DeltaFormat.HeaderSize + (long)IndexBytes;

    /// <summary>Offset of the value section.</summary>
    public long ValuesOffset => ScalesOffset + 4L * ScaleCount;

    /// <summary>Exact payload length the header implies.</summary>
    public long TotalLength => ValuesOffset + ValueBytes;
}
