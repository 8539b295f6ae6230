using NSec.Cryptography;
using P2PNode.Ledger.Merkle;

namespace P2PNode.Ledger.Entries;

/// <summary>
/// An entry as stored and replicated: its canonical bytes, the author's signature, and the entry hash
/// SHA-256(0x00 || bytes || signature), which is both the Merkle leaf hash and the id other entries cite.
/// </summary>
public sealed class SignedEntry
{
    private SignedEntry(byte[] bytes, byte[] signature, LedgerEntry entry)
    {
        Bytes = bytes;
        Signature = signature;
        Entry = entry;
        Hash = MerkleHash.LeafOfPair(bytes, signature);
    }

    public byte[] Bytes { get; }
    public byte[] Signature { get; }
    public LedgerEntry Entry { get; }
    public byte[] Hash { get; }

    public byte[] Author => Entry.Author;
    public ulong Seq => Entry.Seq;
    public EntryKind Kind => Entry.Kind;

    public static SignedEntry Sign(Key key, LedgerEntry entry)
    {
        var author = LedgerSignatures.PublicKeyOf(key);
        if (!author.AsSpan().SequenceEqual(entry.Author)) throw new ArgumentException("the entry's author is not the signing key", nameof(entry));
        var bytes = entry.Encode();
        return new SignedEntry(bytes, LedgerSignatures.Sign(key, LedgerSignatures.EntryContext, bytes), entry);
    }

    /// <summary>Rebuilds an entry from stored or received parts. Throws FormatException on bad bytes;
    /// the signature is NOT checked here (call <see cref="VerifySignature"/>), so auditors can report both.</summary>
    public static SignedEntry FromParts(byte[] bytes, byte[] signature)
    {
        if (signature.Length != LedgerSignatures.SignatureSize) throw new FormatException($"signature is {signature.Length} bytes, expected 64");
        return new SignedEntry(bytes, signature, LedgerEntry.Decode(bytes));
    }

    public bool VerifySignature() => LedgerSignatures.Verify(Entry.Author, LedgerSignatures.EntryContext, Bytes, Signature);

    /// <summary>Bytes followed by the signature: the Merkle leaf data, and the wire form of an entry.</summary>
    public byte[] LeafData() => [.. Bytes, .. Signature];
}
