namespace P2PNode.Transfer;

/// <summary>Tunables of chunk serving and fetching (docs/transfer.md, "Fetch algorithm").</summary>
public sealed record TransferOptions
{
    /// <summary>How long a GetManifest/GetChunk may wait for its answer before the peer is counted as not
    /// serving (broken promise if it announced the object) and the chunk goes to another peer. Long enough for
    /// a 1 MiB chunk on a slow home uplink; short enough that one stalled peer does not stall the fetch.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Chunk requests outstanding per peer. With 256 KiB chunks, 4 keeps about 1 MiB in flight per peer,
    /// which fills a link with under ~100 ms round trip without queueing much behind a slow peer.</summary>
    public int MaxInFlightPerPeer { get; init; } = 4;

    /// <summary>Objects whose announcers are remembered; the oldest are forgotten beyond it (bounded memory
    /// against a peer announcing random ids).</summary>
    public int MaxTrackedObjects { get; init; } = 4096;

    /// <summary>Announcers remembered per object.</summary>
    public int MaxHoldersPerObject { get; init; } = 64;

    /// <summary>How long a Have binds its sender: an object this node released is dropped from its store only
    /// once this long has passed since it last announced it (docs/transfer.md, "Have").</summary>
    public TimeSpan HaveLifetime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long after receiving a Have a NotFound from its sender is a broken promise. Shorter than
    /// <see cref="HaveLifetime"/>: the margin covers transit and queueing, so an honest holder that dropped an
    /// object by the rules is never scored.</summary>
    public TimeSpan PromiseWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The clock for <see cref="HaveLifetime"/> and <see cref="PromiseWindow"/> (tests pass a fake one).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
