using P2PNode.Ledger.Entries;

namespace P2PNode.Ledger.Audit;

/// <summary>A tree head with its cosignatures and, in an export, the consistency proof from the author's
/// previous head (FromSize null for the first head, and for heads read from a database, where the auditor
/// recomputes roots instead).</summary>
public sealed record SnapshotHead(SignedTreeHead Head, IReadOnlyList<Cosignature> Cosignatures, ulong? FromSize,
    IReadOnlyList<byte[]>? Proof, int Line);
