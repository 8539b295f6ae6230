namespace P2PNode.Transfer;

/// <summary>Hard bounds of the transfer protocol (docs/transfer.md, "Limits"), checked before anything is stored.</summary>
public static class TransferLimits
{
    /// <summary>Smallest chunk size a manifest may declare: below it the per-chunk overhead (a 32-byte hash, a
    /// request round trip) dominates.</summary>
    public const int MinChunkSize = 1024;

    /// <summary>Largest chunk size: one chunk plus its envelope must fit a 4 MiB frame with room to spare, and a
    /// bad chunk should waste little bandwidth.</summary>
    public const int MaxChunkSize = 1024 * 1024;

    /// <summary>Default chunk size for new objects (256 KiB).</summary>
    public const int DefaultChunkSize = 256 * 1024;

    /// <summary>Most chunks in one object, so a manifest is at most 53 + 32 * 65536 bytes (about 2 MiB) and
    /// fits one frame. With 1 MiB chunks that is 64 GiB per object.</summary>
    public const int MaxChunks = 65536;

    public const int HashLength = 32;
    public const int ManifestHeaderLength = 53;
    public const int MaxManifestLength = ManifestHeaderLength + HashLength * MaxChunks;
}
