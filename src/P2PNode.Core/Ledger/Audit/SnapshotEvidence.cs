using P2PNode.Ledger.Entries;

namespace P2PNode.Ledger.Audit;

public sealed record SnapshotEvidence(Equivocation Evidence, int Line);
