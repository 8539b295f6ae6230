namespace P2PNode.Compression;

/// <summary>How each sent value is stored in a delta payload (byte 5 of the header).</summary>
public enum DeltaValueCodec : byte
{
    /// <summary>IEEE 754 binary32, little-endian, 4 bytes per value. Lossless.</summary>
    Float32 = 1,

    /// <summary>IEEE 754 binary16, little-endian, 2 bytes per value; saturates at ±65504.</summary>
    Float16 = 2,

    /// <summary>bfloat16 (top 16 bits of binary32, round to nearest even), 2 bytes per value.</summary>
    BFloat16 = 3,

    /// <summary>Blockwise symmetric absmax, signed 8-bit codes in [-127, 127], one float32 scale per block.</summary>
    Int8 = 4,

    /// <summary>Blockwise symmetric absmax, signed 4-bit codes in [-7, 7] packed two per byte, one float32
    /// scale per block.</summary>
    Int4 = 5,
}
