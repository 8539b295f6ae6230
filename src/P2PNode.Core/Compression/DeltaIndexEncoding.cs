namespace P2PNode.Compression;

/// <summary>Which coordinates a delta payload carries values for (byte 6 of the header).</summary>
public enum DeltaIndexEncoding : byte
{
    /// <summary>Every coordinate, in order; no index section.</summary>
    Dense = 0,

    /// <summary>Ascending indices as unsigned LEB128 varints: the first index, then each gap to the previous
    /// one (a gap of 0 would be a duplicate and is invalid). Smallest when few coordinates are sent.</summary>
    DeltaVarint = 1,

    /// <summary>One bit per coordinate, LSB first within each byte. Smallest above about 1/8 density.</summary>
    Bitmap = 2,
}
