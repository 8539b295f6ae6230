using MessagePack;
using P2PNode.Ledger.Entries;

namespace P2PNode.Wire.Ledger;

/// <summary>A witness's fresh cosignature on a tree head, pushed to every peer right after witnessing.</summary>
public sealed record LedgerCosignature(SignedTreeHead Head, Cosignature Cosignature) : WireMessage
{
    public override MessageType Type => MessageType.LedgerCosignature;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        LedgerFields.WriteHead(ref w, Head);
        LedgerFields.WriteCosignature(ref w, Cosignature);
    }

    public static LedgerCosignature Read(ref MessagePackReader r) =>
        new(LedgerFields.ReadHead(ref r, "cosignature.head"), LedgerFields.ReadCosignature(ref r, "cosignature.cosignature"));

    public bool Equals(LedgerCosignature? other) => LedgerFields.SameBytes(this, other);
    public override int GetHashCode() => (int)Head.Size;
}
