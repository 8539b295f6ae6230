using System.Collections.Concurrent;
using System.Text;
using NSec.Cryptography;

namespace P2PNode.Ledger.Entries;

/// <summary>
/// Ed25519 over domain-separated messages: ASCII context || 0x00 || canonical bytes. The context stops a
/// signature on one kind of object (an entry) from being replayed as another (a tree head).
/// </summary>
public static class LedgerSignatures
{
    public const string EntryContext = "p2pnode/ledger/entry/v1";
    public const string TreeHeadContext = "p2pnode/ledger/sth/v1";
    public const string CosignatureContext = "p2pnode/ledger/cosig/v1";
    public const int SignatureSize = 64;

    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    // Importing a public key costs more than a hash; authors are few, so keep them (bounded, see Verify).
    private static readonly ConcurrentDictionary<string, PublicKey?> Keys = new();

    public static byte[] PublicKeyOf(Key key) => key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    public static byte[] Sign(Key key, string context, ReadOnlySpan<byte> data)
    {
        if (key.Algorithm is not global::NSec.Cryptography.Ed25519) throw new ArgumentException("ledger keys are Ed25519", nameof(key));
        return Ed25519.Sign(key, Message(context, data));
    }

    public static bool Verify(ReadOnlySpan<byte> publicKey, string context, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != 32 || signature.Length != SignatureSize) return false;
        var pk = Import(publicKey);
        if (pk is null) return false;
        var total = context.Length + 1 + data.Length;
        var msg = total <= 1024 ? stackalloc byte[total] : new byte[total];
        Encoding.ASCII.GetBytes(context, msg);
        msg[context.Length] = 0;
        data.CopyTo(msg[(context.Length + 1)..]);
        return Ed25519.Verify(pk, msg, signature);
    }

    private static PublicKey? Import(ReadOnlySpan<byte> publicKey)
    {
        var id = Convert.ToHexString(publicKey);
        if (Keys.TryGetValue(id, out var pk)) return pk;
        PublicKey.TryImport(Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out pk);
        if (Keys.Count < 100_000) Keys[id] = pk;
        return pk;
    }

    private static byte[] Message(string context, ReadOnlySpan<byte> data)
    {
        var msg = new byte[context.Length + 1 + data.Length];
        Encoding.ASCII.GetBytes(context, msg);
        data.CopyTo(msg.AsSpan(context.Length + 1));
        return msg;
    }
}
