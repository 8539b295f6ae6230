using P2PNode.Ledger.Entries;

namespace P2PNode.Ledger.Audit;

/// <summary>An entry as the auditor received it, with the export line it came from (0 for a database).</summary>
public sealed record SnapshotEntry(SignedEntry Entry, int Line);
