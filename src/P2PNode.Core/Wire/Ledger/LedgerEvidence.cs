using MessagePack;
using P2PNode.Ledger.Entries;

namespace P2PNode.Wire.Ledger;

/// <summary>
/// Equivocation evidence (docs/ledger.md 4.6), pushed to every peer when found or first received. Kind 0 is an
/// entry fork (a and b are entries), kind 1 a tree-head fork (a and b are heads, plus the path). The decoder
/// checks the shape only; a receiver runs <see cref="Equivocation.Check"/> before storing anything.
/// </summary>
public sealed record LedgerEvidence(Equivocation Evidence) : WireMessage
{
    public override MessageType Type => MessageType.LedgerEvidence;
    public override int FieldCount => 5;

    public override void WriteFields(ref MessagePackWriter w)
    {
        var e = Evidence;
        w.Write((uint)e.Kind);
        w.Write(e.Author);
        if (e.Kind == EquivocationKind.EntryFork)
        {
            LedgerFields.WriteEntry(ref w, e.EntryA!);
            LedgerFields.WriteEntry(ref w, e.EntryB!);
        }
        else
        {
            LedgerFields.WriteHead(ref w, e.HeadA!);
            LedgerFields.WriteHead(ref w, e.HeadB!);
        }
        LedgerFields.WriteHashes(ref w, e.Path);
    }

    public static LedgerEvidence Read(ref MessagePackReader r)
    {
        var kind = Fields.ReadUInt(ref r, "evidence.kind");
        var author = LedgerFields.ReadKey(ref r, "evidence.author");
        switch (kind)
        {
            case (uint)EquivocationKind.EntryFork:
            {
                var a = LedgerFields.ReadEntry(ref r, "evidence.a");
                var b = LedgerFields.ReadEntry(ref r, "evidence.b");
                var path = LedgerFields.ReadHashes(ref r, "evidence.path");
                if (path.Count != 0) throw new WireFormatException("evidence.path must be empty for an entry fork");
                return new LedgerEvidence(new Equivocation { Kind = EquivocationKind.EntryFork, Author = author, EntryA = a, EntryB = b });
            }
            case (uint)EquivocationKind.TreeHeadFork:
            {
                var a = LedgerFields.ReadHead(ref r, "evidence.a");
                var b = LedgerFields.ReadHead(ref r, "evidence.b");
                return new LedgerEvidence(new Equivocation
                {
                    Kind = EquivocationKind.TreeHeadFork, Author = author, HeadA = a, HeadB = b, Path = LedgerFields.ReadHashes(ref r, "evidence.path"),
                });
            }
            default:
                throw new WireFormatException($"evidence.kind {kind} is unknown (0 entry fork, 1 tree-head fork)");
        }
    }

    public bool Equals(LedgerEvidence? other) => LedgerFields.SameBytes(this, other);
    public override int GetHashCode() => (int)Evidence.Kind;
}
