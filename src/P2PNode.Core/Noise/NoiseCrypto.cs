using CryptographicException = System.Security.Cryptography.CryptographicException;
using CryptographicOperations = System.Security.Cryptography.CryptographicOperations;
using NSec.Cryptography;

namespace P2PNode.Noise;

/// <summary>The 25519 and SHA256 functions of the Noise spec (sections 4.1 and 4.3) on top of NSec.</summary>
internal static class NoiseCrypto
{
    /// <summary>DHLEN for 25519.</summary>
    public const int DhLen = 32;

    /// <summary>HASHLEN for SHA256.</summary>
    public const int HashLen = 32;

    public static readonly KeyAgreementAlgorithm X25519 = KeyAgreementAlgorithm.X25519;

    private static readonly MacAlgorithm HmacSha256 = MacAlgorithm.HmacSha256;

    /// <summary>DH(key_pair, public_key): the raw 32-byte X25519 output into <paramref name="output"/>.</summary>
    /// <exception cref="NoiseException">the peer's public key yields the all-zero output (a low-order
    /// point), which would make the "secret" public.</exception>
    public static void Dh(Key privateKey, ReadOnlySpan<byte> publicKey, Span<byte> output)
    {
        var remote = PublicKey.Import(X25519, publicKey, KeyBlobFormat.RawPublicKey);
        // MixKey consumes the raw DH output, so the shared secret has to be exportable.
        var exportable = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var secret = X25519.Agree(privateKey, remote, in exportable)
            ?? throw new NoiseException("X25519 with the peer's public key gave the all-zero output (low-order point)");
        if (!secret.TryExport(SharedSecretBlobFormat.RawSharedSecret, output, out int written) || written != DhLen)
            throw new CryptographicException("could not export the X25519 shared secret");
    }

    /// <summary>HASH(a || b) into <paramref name="output"/> (which may alias <paramref name="a"/>).</summary>
    public static void Hash(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        IncrementalHash.Initialize(HashAlgorithm.Sha256, out var state);
        IncrementalHash.Update(ref state, a);
        IncrementalHash.Update(ref state, b);
        IncrementalHash.Finalize(ref state, output);
    }

    /// <summary>
    /// HKDF(chaining_key, input_key_material, 2) exactly as the spec's section 4.3 defines it:
    /// temp = HMAC(ck, ikm); out1 = HMAC(temp, 0x01); out2 = HMAC(temp, out1 || 0x02).
    /// <paramref name="output1"/> may alias <paramref name="chainingKey"/>.
    /// </summary>
    public static void Hkdf2(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial,
        Span<byte> output1, Span<byte> output2)
    {
        Span<byte> temp = stackalloc byte[HashLen];
        Span<byte> block = stackalloc byte[HashLen + 1];
        try
        {
            Hmac(chainingKey, inputKeyMaterial, temp);
            Hmac(temp, [0x01], block[..HashLen]);
            block[HashLen] = 0x02;
            Hmac(temp, block, output2);
            block[..HashLen].CopyTo(output1);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(temp);
            CryptographicOperations.ZeroMemory(block);
        }
    }

    private static void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        using var k = Key.Import(HmacSha256, key, KeyBlobFormat.RawSymmetricKey);
        HmacSha256.Mac(k, data, output);
    }
}
