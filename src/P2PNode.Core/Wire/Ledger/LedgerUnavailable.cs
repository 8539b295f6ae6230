using MessagePack;

namespace P2PNode.Wire.Ledger;

/// <summary>The answer to a <see cref="GetLedgerEntries"/> the responder cannot serve (head no longer held,
/// range outside it, bad sizes), with the reason: the requester drops that fetch at once instead of timing out.</summary>
public sealed record LedgerUnavailable(byte[] Author, ulong TargetSize, string Reason) : WireMessage
{
    public override MessageType Type => MessageType.LedgerUnavailable;
    public override int FieldCount => 3;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(Author);
        w.Write(TargetSize);
        w.Write(Reason);
    }

    public static LedgerUnavailable Read(ref MessagePackReader r) => new(
        LedgerFields.ReadKey(ref r, "unavailable.author"),
        Fields.ReadUInt64(ref r, "unavailable.target_size"),
        Fields.ReadString(ref r, LedgerLimits.MaxReasonBytes, "unavailable.reason"));

    public bool Equals(LedgerUnavailable? other) => LedgerFields.SameBytes(this, other);
    public override int GetHashCode() => (int)TargetSize;
}
