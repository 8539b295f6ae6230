using MessagePack;

namespace P2PNode.Wire.Ledger;

/// <summary>
/// "These are the latest tree heads I hold": at most one per author, each with some of its cosignatures.
/// Sent when a session starts and every heads interval; a receiver fetches what it lacks, witnesses what
/// it can check, and stores cosignatures for heads it holds.
/// </summary>
public sealed record LedgerHeads(IReadOnlyList<LedgerHeadItem> Heads) : WireMessage
{
    public override MessageType Type => MessageType.LedgerHeads;
    public override int FieldCount => 1;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(Heads.Count);
        foreach (var item in Heads)
        {
            w.WriteArrayHeader(2);
            LedgerFields.WriteHead(ref w, item.Head);
            w.WriteArrayHeader(item.Cosignatures.Count);
            foreach (var c in item.Cosignatures) LedgerFields.WriteCosignature(ref w, c);
        }
    }

    public static LedgerHeads Read(ref MessagePackReader r)
    {
        var n = Fields.ReadArrayHeader(ref r, LedgerLimits.MaxHeads, "heads");
        var items = new LedgerHeadItem[n];
        var authors = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var name = $"heads[{i}]";
            var k = Fields.ReadArrayHeader(ref r, 2, name);
            if (k != 2) throw new WireFormatException($"{name} has {k} items, needs 2");
            var head = LedgerFields.ReadHead(ref r, $"{name}.head");
            if (!authors.Add(Convert.ToHexStringLower(head.Author))) throw new WireFormatException($"{name}: a second head for author {Convert.ToHexStringLower(head.Author)}");
            var m = Fields.ReadArrayHeader(ref r, LedgerLimits.MaxCosignaturesPerHead, $"{name}.cosignatures");
            var cosigs = new P2PNode.Ledger.Entries.Cosignature[m];
            for (var j = 0; j < m; j++) cosigs[j] = LedgerFields.ReadCosignature(ref r, $"{name}.cosignatures[{j}]");
            items[i] = new LedgerHeadItem(head, cosigs);
        }
        return new LedgerHeads(items);
    }

    public bool Equals(LedgerHeads? other) => LedgerFields.SameBytes(this, other);
    public override int GetHashCode() => Heads.Count;
}
