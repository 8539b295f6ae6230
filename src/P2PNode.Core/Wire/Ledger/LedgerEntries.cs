using MessagePack;
using P2PNode.Ledger.Entries;

namespace P2PNode.Wire.Ledger;

/// <summary>
/// The answer to <see cref="GetLedgerEntries"/>: consecutive entries of Head's author starting at From (possibly
/// fewer than asked, never more), the tree head they lead to, and the consistency proof the request asked for.
/// </summary>
public sealed record LedgerEntries(ulong From, IReadOnlyList<SignedEntry> Entries, SignedTreeHead Head, IReadOnlyList<byte[]> Proof) : WireMessage
{
    public override MessageType Type => MessageType.LedgerEntries;
    public override int FieldCount => 4;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(From);
        w.WriteArrayHeader(Entries.Count);
        foreach (var e in Entries) LedgerFields.WriteEntry(ref w, e);
        LedgerFields.WriteHead(ref w, Head);
        LedgerFields.WriteHashes(ref w, Proof);
    }

    public static LedgerEntries Read(ref MessagePackReader r)
    {
        var from = Fields.ReadUInt64(ref r, "entries.from");
        var n = Fields.ReadArrayHeader(ref r, LedgerLimits.MaxEntriesPerMessage, "entries.entries");
        var entries = new SignedEntry[n];
        for (var i = 0; i < n; i++) entries[i] = LedgerFields.ReadEntry(ref r, $"entries.entries[{i}]");
        return new LedgerEntries(from, entries, LedgerFields.ReadHead(ref r, "entries.head"), LedgerFields.ReadHashes(ref r, "entries.proof"));
    }

    public bool Equals(LedgerEntries? other) => LedgerFields.SameBytes(this, other);
    public override int GetHashCode() => (int)From;
}
