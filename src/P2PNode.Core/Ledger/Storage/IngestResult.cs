using P2PNode.Ledger.Entries;

namespace P2PNode.Ledger.Storage;

/// <summary>What an ingest did: entries newly stored, whether the tree head was new, and any equivocation
/// found (stored as evidence, author flagged; when set, nothing else from the batch was stored).</summary>
public sealed record IngestResult(int Appended, bool NewTreeHead, Equivocation? Equivocation);
