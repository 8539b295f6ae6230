namespace P2PNode.Wire.Ledger;

/// <summary>
/// Hard bounds on ledger replication messages (docs/ledger.md, "Replication protocol"), checked by the decoders
/// before anything reaches the store. With these, the largest valid message stays under the 4 MiB frame limit.
/// </summary>
public static class LedgerLimits
{
    /// <summary>Tree heads in one LedgerHeads message (one per author). A node holding more authors rotates
    /// through them, one window per exchange.</summary>
    public const int MaxHeads = 1024;

    /// <summary>Cosignatures carried with one head in LedgerHeads (a sender picks any subset it holds).</summary>
    public const int MaxCosignaturesPerHead = 16;

    /// <summary>Entries in one LedgerEntries message, and the largest count a GetLedgerEntries may ask for.</summary>
    public const int MaxEntriesPerMessage = 256;

    /// <summary>Canonical bytes of one entry on the wire (an aggregation over ~1,500 inputs; deltas travel elsewhere).
    /// A responder also stops filling a LedgerEntries message at 1 MiB, so real messages stay far below the frame limit.</summary>
    public const int MaxEntryBytes = 64 * 1024;

    /// <summary>Hashes in a consistency proof or an evidence path: ceil(log2(2^63)) + 1 is enough for any log.</summary>
    public const int MaxProofHashes = 64;

    /// <summary>Reason text in LedgerUnavailable.</summary>
    public const int MaxReasonBytes = 256;

    public const int HashLength = 32;
    public const int PublicKeyLength = 32;
    public const int SignatureLength = 64;

    /// <summary>Canonical tree-head bytes: u8 version, 32 author, u64 size, 32 root, i64 time_ms.</summary>
    public const int TreeHeadBytes = 81;
}
