using System.Security.Cryptography;
using System.Text;

namespace P2PNode.Noise;

/// <summary>
/// Noise SymmetricState (spec section 5.2): chaining key ck, handshake hash h and the handshake's
/// CipherState. Lives only during the handshake.
/// </summary>
internal sealed class SymmetricState : IDisposable
{
    private readonly byte[] ck = new byte[NoiseCrypto.HashLen];
    private readonly byte[] h = new byte[NoiseCrypto.HashLen];
    private readonly CipherState cipher = new();

    /// <summary>InitializeSymmetric(protocol_name).</summary>
    public SymmetricState(string protocolName)
    {
        var name = Encoding.ASCII.GetBytes(protocolName);
        if (name.Length <= NoiseCrypto.HashLen)
            name.CopyTo(h, 0); // zero-padded to HASHLEN
        else
            NoiseCrypto.Hash(name, ReadOnlySpan<byte>.Empty, h);
        h.CopyTo(ck, 0);
    }

    public bool HasKey => cipher.HasKey;

    public ReadOnlySpan<byte> HandshakeHash => h;

    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> tempK = stackalloc byte[NoiseCrypto.HashLen];
        try
        {
            NoiseCrypto.Hkdf2(ck, inputKeyMaterial, ck, tempK);
            cipher.InitializeKey(tempK); // HASHLEN is 32 = key size, no truncation needed
        }
        finally
        {
            CryptographicOperations.ZeroMemory(tempK);
        }
    }

    public void MixHash(ReadOnlySpan<byte> data) => NoiseCrypto.Hash(h, data, h);

    /// <summary>EncryptAndHash: ciphertext (or the plaintext itself while there is no key) into
    /// <paramref name="output"/>, which must not overlap <paramref name="plaintext"/>. Returns its length.</summary>
    public int EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        int length;
        if (cipher.HasKey)
        {
            length = cipher.Encrypt(h, plaintext, output);
        }
        else
        {
            plaintext.CopyTo(output);
            length = plaintext.Length;
        }
        MixHash(output[..length]);
        return length;
    }

    /// <summary>DecryptAndHash: plaintext into <paramref name="output"/> (not overlapping the ciphertext).</summary>
    /// <exception cref="NoiseException">authentication failed.</exception>
    public int DecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> output)
    {
        int length;
        if (cipher.HasKey)
        {
            length = cipher.Decrypt(h, ciphertext, output);
        }
        else
        {
            ciphertext.CopyTo(output);
            length = ciphertext.Length;
        }
        MixHash(ciphertext);
        return length;
    }

    /// <summary>Split(): the two transport CipherStates (c1 initiator-to-responder, c2 the other way).</summary>
    public (CipherState C1, CipherState C2) Split()
    {
        Span<byte> k1 = stackalloc byte[NoiseCrypto.HashLen];
        Span<byte> k2 = stackalloc byte[NoiseCrypto.HashLen];
        try
        {
            NoiseCrypto.Hkdf2(ck, ReadOnlySpan<byte>.Empty, k1, k2);
            return (new CipherState(k1), new CipherState(k2));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(k1);
            CryptographicOperations.ZeroMemory(k2);
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(ck);
        cipher.Dispose();
    }
}
