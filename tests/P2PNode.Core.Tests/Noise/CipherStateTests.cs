using System.Buffers.Binary;
using NSec.Cryptography;
using P2PNode.Noise;

namespace P2PNode.Core.Tests.Noise;

public sealed class CipherStateTests
{
    private static readonly byte[] KeyBytes = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static readonly byte[] Ad = "header"u8.ToArray();

    [Fact]
    public void Round_trip_with_associated_data_advances_both_nonces()
    {
        using var sender = new CipherState(KeyBytes);
        using var receiver = new CipherState(KeyBytes);
        var plaintext = "hello noise"u8.ToArray();
        var ciphertext = new byte[plaintext.Length + CipherState.TagSize];
        var decrypted = new byte[plaintext.Length];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ciphertext.Length, sender.Encrypt(Ad, plaintext, ciphertext));
            Assert.Equal(plaintext.Length, receiver.Decrypt(Ad, ciphertext, decrypted));
            Assert.Equal(plaintext, decrypted);
        }
        Assert.Equal(3UL, sender.Nonce);
        Assert.Equal(3UL, receiver.Nonce);
    }

    [Fact]
    public void Nonce_is_four_zero_bytes_then_the_counter_little_endian()
    {
        const ulong counter = 0x0102030405060708;
        using var state = new CipherState(KeyBytes);
        state.SetNonce(counter);
        var plaintext = new byte[40];
        var ours = new byte[56];
        state.Encrypt(Ad, plaintext, ours);

        var nonce = new byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), counter);
        using var key = Key.Import(AeadAlgorithm.ChaCha20Poly1305, KeyBytes, KeyBlobFormat.RawSymmetricKey);
        var reference = AeadAlgorithm.ChaCha20Poly1305.Encrypt(key, nonce, Ad, plaintext);
        Assert.Equal(reference, ours);
    }

    [Fact]
    public void Decrypts_what_libsodium_encrypted_and_uses_the_platform_cipher_where_there_is_one()
    {
        // Encrypt and decrypt may run on the platform's library (OpenSSL) or NSec's (libsodium); the wire must
        // not tell the difference, in either direction.
        using var receiver = new CipherState(KeyBytes);
        Assert.Equal(System.Security.Cryptography.ChaCha20Poly1305.IsSupported, receiver.UsesPlatformCipher);
        using var key = Key.Import(AeadAlgorithm.ChaCha20Poly1305, KeyBytes, KeyBlobFormat.RawSymmetricKey);
        var plaintext = new byte[CipherState.MaxPlaintextSize];
        Random.Shared.NextBytes(plaintext);
        var ciphertext = AeadAlgorithm.ChaCha20Poly1305.Encrypt(key, new byte[12], Ad, plaintext);
        var decrypted = new byte[plaintext.Length];
        Assert.Equal(plaintext.Length, receiver.Decrypt(Ad, ciphertext, decrypted));
        Assert.Equal(plaintext, decrypted);

        ciphertext[^1] ^= 1;
        receiver.SetNonce(0);
        Assert.Throws<NoiseException>(() => receiver.Decrypt(Ad, ciphertext, decrypted));
        Assert.Equal(0UL, receiver.Nonce);
    }

    [Theory]
    [InlineData(0)]   // first ciphertext byte
    [InlineData(20)]  // inside the tag
    public void Tampered_ciphertext_throws_and_leaves_the_nonce(int flip)
    {
        using var sender = new CipherState(KeyBytes);
        using var receiver = new CipherState(KeyBytes);
        var ciphertext = new byte[8 + CipherState.TagSize];
        sender.Encrypt(Ad, new byte[8], ciphertext);
        ciphertext[flip] ^= 0x01;
        Assert.Throws<NoiseException>(() => receiver.Decrypt(Ad, ciphertext, new byte[8]));
        Assert.Equal(0UL, receiver.Nonce);
        ciphertext[flip] ^= 0x01;
        Assert.Equal(8, receiver.Decrypt(Ad, ciphertext, new byte[8]));
    }

    [Fact]
    public void Wrong_associated_data_or_replay_fails()
    {
        using var sender = new CipherState(KeyBytes);
        using var receiver = new CipherState(KeyBytes);
        var ciphertext = new byte[4 + CipherState.TagSize];
        sender.Encrypt(Ad, new byte[4], ciphertext);
        Assert.Throws<NoiseException>(() => receiver.Decrypt("other"u8, ciphertext, new byte[4]));
        receiver.Decrypt(Ad, ciphertext, new byte[4]);
        Assert.Throws<NoiseException>(() => receiver.Decrypt(Ad, ciphertext, new byte[4])); // replay: nonce moved on
    }

    [Fact]
    public void Size_limits_are_the_noise_message_limit()
    {
        using var sender = new CipherState(KeyBytes);
        using var receiver = new CipherState(KeyBytes);
        var big = new byte[CipherState.MaxMessageSize];
        Assert.Equal(CipherState.MaxMessageSize, sender.Encrypt(default, new byte[CipherState.MaxPlaintextSize], big));
        Assert.Equal(CipherState.MaxPlaintextSize, receiver.Decrypt(default, big, new byte[CipherState.MaxPlaintextSize]));

        Assert.Throws<ArgumentException>(() => sender.Encrypt(default, new byte[CipherState.MaxPlaintextSize + 1], new byte[70000]));
        Assert.Throws<ArgumentException>(() => sender.Encrypt(default, new byte[10], new byte[25])); // output too small
        Assert.Throws<NoiseException>(() => receiver.Decrypt(default, new byte[CipherState.MaxMessageSize + 1], new byte[70000]));
        Assert.Throws<NoiseException>(() => receiver.Decrypt(default, new byte[CipherState.TagSize - 1], new byte[16]));
        Assert.Throws<ArgumentException>(() => receiver.Decrypt(default, new byte[26], new byte[9])); // output too small
        Assert.Equal(1UL, sender.Nonce);
        Assert.Equal(1UL, receiver.Nonce);
    }

    [Fact]
    public void Encrypt_and_decrypt_work_in_place()
    {
        using var sender = new CipherState(KeyBytes);
        using var receiver = new CipherState(KeyBytes);
        var buffer = new byte[100 + CipherState.TagSize];
        for (int i = 0; i < 100; i++) buffer[i] = (byte)i;
        sender.Encrypt(Ad, buffer.AsSpan(0, 100), buffer);
        Assert.NotEqual(1, buffer[1]);
        receiver.Decrypt(Ad, buffer, buffer.AsSpan(0, 100));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (byte)i), buffer.Take(100));
    }

    [Fact]
    public void Nonce_2_pow_64_minus_1_is_never_used()
    {
        using var sender = new CipherState(KeyBytes);
        using var receiver = new CipherState(KeyBytes);
        sender.SetNonce(ulong.MaxValue - 1);
        receiver.SetNonce(ulong.MaxValue - 1);
        var ciphertext = new byte[CipherState.TagSize];
        sender.Encrypt(default, default, ciphertext);
        receiver.Decrypt(default, ciphertext, default);
        Assert.Equal(ulong.MaxValue, sender.Nonce);
        Assert.Throws<NoiseException>(() => sender.Encrypt(default, default, ciphertext));
        Assert.Throws<NoiseException>(() => receiver.Decrypt(default, ciphertext, default));
        Assert.Equal(ulong.MaxValue, sender.Nonce);
    }

    [Fact]
    public void Rekey_follows_the_spec_and_keeps_the_nonce()
    {
        using var state = new CipherState(KeyBytes);
        state.SetNonce(5);
        state.Rekey();
        Assert.Equal(5UL, state.Nonce);

        // REKEY(k) = first 32 bytes of ENCRYPT(k, maxnonce, zerolen, zeros)
        var maxNonce = new byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(maxNonce.AsSpan(4), ulong.MaxValue);
        using var oldKey = Key.Import(AeadAlgorithm.ChaCha20Poly1305, KeyBytes, KeyBlobFormat.RawSymmetricKey);
        var newKeyBytes = AeadAlgorithm.ChaCha20Poly1305.Encrypt(oldKey, maxNonce, default, new byte[32])[..32];
        using var expected = new CipherState(newKeyBytes);
        expected.SetNonce(5);

        var a = new byte[3 + CipherState.TagSize];
        var b = new byte[3 + CipherState.TagSize];
        state.Encrypt(Ad, "abc"u8, a);
        expected.Encrypt(Ad, "abc"u8, b);
        Assert.Equal(b, a);

        using var stale = new CipherState(KeyBytes);
        stale.SetNonce(5);
        Assert.Throws<NoiseException>(() => stale.Decrypt(Ad, a, new byte[3]));
    }

    [Fact]
    public void Encrypt_and_decrypt_do_not_allocate()
    {
        using var sender = new CipherState(KeyBytes);
        using var receiver = new CipherState(KeyBytes);
        var plaintext = new byte[CipherState.MaxPlaintextSize];
        var ciphertext = new byte[CipherState.MaxMessageSize];
        sender.Encrypt(Ad, plaintext, ciphertext); // warm up (JIT, NSec statics)
        receiver.Decrypt(Ad, ciphertext, plaintext);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            sender.Encrypt(Ad, plaintext, ciphertext);
            receiver.Decrypt(Ad, ciphertext, plaintext);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Disposed_state_refuses_work()
    {
        var state = new CipherState(KeyBytes);
        state.Dispose();
        Assert.Throws<ObjectDisposedException>(() => state.Encrypt(default, default, new byte[16]));
        Assert.Throws<ObjectDisposedException>(() => state.Rekey());
    }
}
