using P2PNode.Wire.Ledger;

namespace P2PNode.Ledger.Sync;

public sealed record LedgerSyncOptions
{
    /// <summary>How often the node publishes a head over its own log (when it grew) and sends its changed heads to
    /// every peer. Shorter means faster replication and witnessing.</summary>
    public TimeSpan HeadsInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Between two ticks a peer is sent only the heads that changed; every this many ticks (and when
    /// its session starts) it is sent all of them, which repairs a send that was dropped.</summary>
    public int FullHeadsEvery { get; init; } = 10;

    /// <summary>Entries asked for per GetLedgerEntries (at most <see cref="LedgerLimits.MaxEntriesPerMessage"/>).</summary>
    public int EntriesPerRequest { get; init; } = LedgerLimits.MaxEntriesPerMessage;

    /// <summary>A responder stops adding entries to one LedgerEntries message past this many bytes (at least one entry is sent).</summary>
    public int MaxResponseBytes { get; init; } = 1024 * 1024;

    /// <summary>The most entries one fetch buffers before ingesting: a log may be at most this far ahead of the
    /// requester's head in one step (the store ingests a range only together with the head it leads to). Authors
    /// publish heads far more often than this; a larger gap is refused and counted.</summary>
    public int MaxCatchUpEntries { get; init; } = 65_536;

    /// <summary>Fetches in flight at once (each buffers up to <see cref="MaxCatchUpEntries"/>): bounds memory when
    /// a peer advertises many authors ahead of us; the rest wait their turn.</summary>
    public int MaxConcurrentFetches { get; init; } = 8;

    /// <summary>A fetch whose peer has not answered for this long is dropped; the next heads exchange retries it.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Evidence items sent to a peer when its session starts (the rest reach it by gossip as found).</summary>
    public int MaxEvidenceOnConnect { get; init; } = 256;
}
