using MessagePack;

namespace P2PNode.Wire.Ledger;

/// <summary>
/// Asks for entries [From, From + Count) of Author's log, as signed by the tree head of size TargetSize that the
/// responder advertised, plus the consistency proof from HaveSize (the largest head the requester holds for that
/// author; 0 for none) to TargetSize. Count is at most <see cref="LedgerLimits.MaxEntriesPerMessage"/>.
/// </summary>
public sealed record GetLedgerEntries(byte[] Author, ulong From, uint Count, ulong TargetSize, ulong HaveSize) : WireMessage
{
    public override MessageType Type => MessageType.GetLedgerEntries;
    public override int FieldCount => 5;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(Author);
        w.Write(From);
        w.Write(Count);
        w.Write(TargetSize);
        w.Write(HaveSize);
    }

    public static GetLedgerEntries Read(ref MessagePackReader r)
    {
        var author = LedgerFields.ReadKey(ref r, "get_entries.author");
        var from = Fields.ReadUInt64(ref r, "get_entries.from");
        var count = Fields.ReadUInt(ref r, "get_entries.count");
        if (count > LedgerLimits.MaxEntriesPerMessage) throw new WireFormatException($"get_entries.count is {count}, limit {LedgerLimits.MaxEntriesPerMessage}");
        return new GetLedgerEntries(author, from, count, Fields.ReadUInt64(ref r, "get_entries.target_size"), Fields.ReadUInt64(ref r, "get_entries.have_size"));
    }

    public bool Equals(GetLedgerEntries? other) => LedgerFields.SameBytes(this, other);
    public override int GetHashCode() => (int)From;
}
