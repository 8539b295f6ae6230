using P2PNode.Ledger.Entries;

namespace P2PNode.Wire.Ledger;

/// <summary>One author's latest tree head in <see cref="LedgerHeads"/>, with cosignatures the sender holds for it.</summary>
public sealed record LedgerHeadItem(SignedTreeHead Head, IReadOnlyList<Cosignature> Cosignatures);
