using NSec.Cryptography;

namespace P2PNode.Ledger.Entries;

/// <summary>
/// A witness's signature on a tree head it checked to be consistent with the last head it saw from that
/// author. Signed message: context || 0x00 || STH canonical bytes || 32 witness || i64 time_ms.
/// </summary>
public sealed record Cosignature
{
    public required byte[] Witness { get; init; }
    public required long TimeMs { get; init; }
    public required byte[] Signature { get; init; }

    public static byte[] SignedBytes(SignedTreeHead sth, byte[] witness, long timeMs)
    {
        var head = sth.Encode();
        var all = new byte[head.Length + 32 + 8];
        head.CopyTo(all, 0);
        witness.CopyTo(all, head.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(all.AsSpan(head.Length + 32), timeMs);
        return all;
    }

    public static Cosignature Sign(Key witnessKey, SignedTreeHead sth, long timeMs)
    {
        var witness = LedgerSignatures.PublicKeyOf(witnessKey);
        return new Cosignature
        {
            Witness = witness, TimeMs = timeMs,
            Signature = LedgerSignatures.Sign(witnessKey, LedgerSignatures.CosignatureContext, SignedBytes(sth, witness, timeMs)),
        };
    }

    public bool Verify(SignedTreeHead sth) =>
        Witness.Length == 32 && LedgerSignatures.Verify(Witness, LedgerSignatures.CosignatureContext, SignedBytes(sth, Witness, TimeMs), Signature);
}
