using NSec.Cryptography;

namespace P2PNode.Identity;

/// <summary>
/// The node's long-term Ed25519 key. Everything a node says (handshake binding, contributions, ledger
/// entries, tree heads) is signed with it, and its <see cref="PeerId"/> is derived from the public half.
/// The private key is exportable only so <see cref="KeyFile"/> can store it.
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    public const int PrivateKeySize = 32;
    public const int SignatureSize = 64;

    private readonly byte[] _publicKey;

    private NodeIdentity(Key key)
    {
        SigningKey = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        PeerId = PeerId.FromPublicKey(_publicKey);
    }

    /// <summary>The NSec key, for components that sign or derive with it directly. Owned by this object.</summary>
    public Key SigningKey { get; }

    /// <summary>The 32-byte Ed25519 public key (a fresh copy on every call).</summary>
    public byte[] PublicKey => (byte[])_publicKey.Clone();

    public PeerId PeerId { get; }

    /// <summary>A new random identity from the operating system's CSPRNG (via libsodium).</summary>
    public static NodeIdentity Generate() => new(Key.Create(SignatureAlgorithm.Ed25519, Exportable()));

    /// <summary>The identity whose RFC 8032 private key (seed) is <paramref name="seed32"/>.</summary>
    public static NodeIdentity FromPrivateKey(ReadOnlySpan<byte> seed32)
    {
        if (seed32.Length != PrivateKeySize)
            throw new ArgumentException($"an Ed25519 private key is {PrivateKeySize} bytes, got {seed32.Length}", nameof(seed32));
        return new(Key.Import(SignatureAlgorithm.Ed25519, seed32, KeyBlobFormat.RawPrivateKey, Exportable()));
    }

    /// <summary>A 64-byte Ed25519 signature (RFC 8032, pure Ed25519, no prehash, no context).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(SigningKey, data);

    /// <summary>True only for a valid signature; false for any malformed key or signature, never throws.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PeerId.PublicKeySize || signature.Length != SignatureSize) return false;
        if (!NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
            return false;
        return SignatureAlgorithm.Ed25519.Verify(key, data, signature);
    }

    /// <summary>The raw 32-byte seed; callers must wipe it (CryptographicOperations.ZeroMemory) when done.</summary>
    internal byte[] ExportPrivateKey() => SigningKey.Export(KeyBlobFormat.RawPrivateKey);

    // A ref struct, so it cannot be cached in a field.
    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    public void Dispose() => SigningKey.Dispose();
}
