using System.Buffers.Binary;
using System.Security.Cryptography;
using NSec.Cryptography;
using PlatformAead = System.Security.Cryptography.ChaCha20Poly1305;

namespace P2PNode.Noise;

/// <summary>
/// Noise CipherState (spec section 5.1) for ChaChaPoly: a 32-byte key k and a 64-bit nonce n. Each
/// <see cref="Encrypt"/>/<see cref="Decrypt"/> uses n as the ChaCha20-Poly1305 (RFC 8439) nonce, encoded
/// as 4 zero bytes followed by n little-endian, then increments n. A failed decryption leaves n unchanged.
/// The transport gets two of these from <see cref="HandshakeState.Split"/>, one per direction.
/// Not thread-safe: one thread encrypts and one thread decrypts, each on its own instance.
/// </summary>
public sealed class CipherState : IDisposable
{
    /// <summary>Poly1305 tag appended to every ciphertext.</summary>
    public const int TagSize = 16;

    /// <summary>Largest Noise message (ciphertext including tag) in bytes, fixed by the spec.</summary>
    public const int MaxMessageSize = 65535;

    /// <summary>Largest plaintext one call encrypts: <see cref="MaxMessageSize"/> - <see cref="TagSize"/>.</summary>
    public const int MaxPlaintextSize = MaxMessageSize - TagSize;

    /// <summary>ChaChaPoly key length.</summary>
    public const int KeySize = 32;

    private const int NonceSize = 12;

    // 2^64-1 is reserved by the spec (used only by Rekey), so ordinary messages stop one short of it.
    private const ulong ReservedNonce = ulong.MaxValue;

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.ChaCha20Poly1305;

    // The key lives in NSec's (libsodium) guarded memory; importing once keeps Encrypt allocation-free.
    private Key? key;

    // The same AEAD (RFC 8439) from the platform's crypto library (OpenSSL on Linux) when it has one: its
    // vectorised ChaCha20 and Poly1305 run about 1.5x faster per core than libsodium's here
    // (docs/results.md section 1), and bulk transport encryption is where a node spends its CPU on the wire.
    // NSec stays the fallback, and does everything else (X25519, hashing, the handshake's key handling).
    private PlatformAead? platform;
    private ulong nonce;
    private bool disposed;

    /// <summary>An empty CipherState (no key yet), as the handshake starts with.</summary>
    internal CipherState() { }

    internal CipherState(ReadOnlySpan<byte> key) => InitializeKey(key);

    /// <summary>The nonce the next Encrypt/Decrypt will use (= messages processed so far).</summary>
    public ulong Nonce => nonce;

    internal bool HasKey => key is not null;

    /// <summary>True when Encrypt/Decrypt run on the platform's AEAD rather than NSec's.</summary>
    internal bool UsesPlatformCipher => platform is not null;

    /// <summary>InitializeKey(key): set k and reset n to zero.</summary>
    internal void InitializeKey(ReadOnlySpan<byte> newKey)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (newKey.Length != KeySize)
            throw new ArgumentException($"a ChaChaPoly key is {KeySize} bytes, got {newKey.Length}", nameof(newKey));
        SetKey(newKey);
        nonce = 0;
    }

    /// <summary>SetNonce from the spec; used by tests to reach the end of the nonce space.</summary>
    internal void SetNonce(ulong value) => nonce = value;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> with the current nonce and <paramref name="ad"/> as associated
    /// data (may be empty), writes ciphertext||tag to the start of <paramref name="ciphertext"/>, increments
    /// the nonce. <paramref name="ciphertext"/> may be the very same memory as the plaintext (in place) but
    /// must not partly overlap it. Returns the bytes written: plaintext.Length + <see cref="TagSize"/>.
    /// </summary>
    /// <exception cref="ArgumentException">plaintext longer than <see cref="MaxPlaintextSize"/>, or
    /// ciphertext buffer too small.</exception>
    /// <exception cref="NoiseException">the nonce space is exhausted (2^64-1 messages); rekeying does not
    /// reset it, so the session must be re-established.</exception>
    public int Encrypt(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        var k = RequireKey();
        if (plaintext.Length > MaxPlaintextSize)
            throw new ArgumentException(
                $"plaintext of {plaintext.Length} bytes exceeds the Noise limit of {MaxPlaintextSize} per message", nameof(plaintext));
        int length = plaintext.Length + TagSize;
        if (ciphertext.Length < length)
            throw new ArgumentException($"ciphertext buffer holds {ciphertext.Length} bytes, needs {length}", nameof(ciphertext));
        ThrowIfNonceExhausted();

        Span<byte> n = stackalloc byte[NonceSize];
        WriteNonce(n, nonce);
        if (platform is not null) platform.Encrypt(n, plaintext, ciphertext[..plaintext.Length], ciphertext.Slice(plaintext.Length, TagSize), ad);
        else Aead.Encrypt(k, n, ad, plaintext, ciphertext[..length]);
        nonce++;
        return length;
    }

    /// <summary>
    /// Authenticates and decrypts <paramref name="ciphertext"/> (ciphertext||tag) with the current nonce and
    /// <paramref name="ad"/>, writes the plaintext to the start of <paramref name="plaintext"/> (which may be
    /// the very same memory as the ciphertext), increments the nonce. Returns the plaintext length.
    /// </summary>
    /// <exception cref="NoiseException">authentication failed, the ciphertext is shorter than a tag or longer
    /// than <see cref="MaxMessageSize"/>, or the nonce space is exhausted. The nonce is not advanced.</exception>
    /// <exception cref="ArgumentException">plaintext buffer too small.</exception>
    public int Decrypt(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        var k = RequireKey();
        if (ciphertext.Length < TagSize)
            throw new NoiseException($"ciphertext of {ciphertext.Length} bytes is shorter than the {TagSize}-byte tag");
        if (ciphertext.Length > MaxMessageSize)
            throw new NoiseException($"ciphertext of {ciphertext.Length} bytes exceeds the Noise limit of {MaxMessageSize}");
        int length = ciphertext.Length - TagSize;
        if (plaintext.Length < length)
            throw new ArgumentException($"plaintext buffer holds {plaintext.Length} bytes, needs {length}", nameof(plaintext));
        ThrowIfNonceExhausted();

        Span<byte> n = stackalloc byte[NonceSize];
        WriteNonce(n, nonce);
        if (platform is not null)
        {
            try { platform.Decrypt(n, ciphertext[..length], ciphertext[length..], plaintext[..length], ad); }
            catch (AuthenticationTagMismatchException) { throw new NoiseException($"message {nonce} failed authentication (tampered, reordered or wrong key)"); }
        }
        else if (!Aead.Decrypt(k, n, ad, ciphertext, plaintext[..length]))
            throw new NoiseException($"message {nonce} failed authentication (tampered, reordered or wrong key)");
        nonce++;
        return length;
    }

    /// <summary>
    /// Rekey (spec section 11.3): k = first 32 bytes of ENCRYPT(k, 2^64-1, empty ad, 32 zero bytes).
    /// The nonce is unchanged. Both sides must rekey the same direction at the same message boundary;
    /// when is the application's protocol to decide.
    /// </summary>
    public void Rekey()
    {
        var k = RequireKey();
        Span<byte> n = stackalloc byte[NonceSize];
        WriteNonce(n, ReservedNonce);
        Span<byte> zeros = stackalloc byte[KeySize];
        zeros.Clear();
        Span<byte> output = stackalloc byte[KeySize + TagSize];
        try
        {
            Aead.Encrypt(k, n, ReadOnlySpan<byte>.Empty, zeros, output);
            SetKey(output[..KeySize]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(output);
        }
    }

    private void SetKey(ReadOnlySpan<byte> raw)
    {
        var imported = Key.Import(Aead, raw, KeyBlobFormat.RawSymmetricKey);
        key?.Dispose();
        key = imported;
        platform?.Dispose();
        platform = PlatformAead.IsSupported ? new PlatformAead(raw) : null;
    }

    public void Dispose()
    {
        disposed = true;
        key?.Dispose();
        key = null;
        platform?.Dispose();
        platform = null;
    }

    private Key RequireKey()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return key ?? throw new InvalidOperationException("CipherState has no key yet");
    }

    private void ThrowIfNonceExhausted()
    {
        if (nonce == ReservedNonce)
            throw new NoiseException("nonce space exhausted (2^64-1 is reserved); re-establish the session");
    }

    private static void WriteNonce(Span<byte> destination, ulong value)
    {
        destination[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], value);
    }
}
