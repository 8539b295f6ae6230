using System.Buffers.Binary;
using System.Diagnostics;
using NSec.Cryptography;
using P2PNode.Noise;

namespace P2PNode.Benchmarks;

/// <summary>
/// Transport cipher throughput: CipherState.Encrypt/Decrypt on full Noise messages (65519-byte payload,
/// 65535-byte message) against the raw ChaCha20-Poly1305 it runs on (the platform's library, OpenSSL here)
/// into a preallocated buffer, the floor our wrapper can reach; raw NSec (libsodium) for reference. Both measured in the same run, interleaved, best of several rounds; the ratio is
/// what matters (1.00 = no overhead).
/// </summary>
public static class NoiseCipherBench
{
    private const int PayloadSize = CipherState.MaxPlaintextSize;
    private const int Rounds = 5;
    private static readonly TimeSpan RoundTime = TimeSpan.FromMilliseconds(400);

    public static void Run()
    {
        // two sessions: the encrypt-only loop advances its sender's nonce without a receiver keeping up
        var (send, unused) = TransportPair();
        unused.Dispose();
        var (pairSend, pairReceive) = TransportPair();
        using (send)
        using (pairSend)
        using (pairReceive)
        using (var rawKey = Key.Create(AeadAlgorithm.ChaCha20Poly1305))
        using (var platform = new System.Security.Cryptography.ChaCha20Poly1305(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)))
        {
            var plaintext = new byte[PayloadSize];
            Random.Shared.NextBytes(plaintext);
            var ciphertext = new byte[PayloadSize + CipherState.TagSize];
            var decrypted = new byte[PayloadSize];
            var nonce = new byte[12];
            ulong counter = 0;

            void RawEncrypt()
            {
                BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), counter++);
                AeadAlgorithm.ChaCha20Poly1305.Encrypt(rawKey, nonce, default, plaintext, ciphertext);
            }
            void PlatformEncrypt()
            {
                BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), counter++);
                platform.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, PayloadSize), ciphertext.AsSpan(PayloadSize));
            }
            void NoiseEncrypt() => send.Encrypt(default, plaintext, ciphertext);
            void NoiseRoundTrip()
            {
                pairSend.Encrypt(default, plaintext, ciphertext);
                pairReceive.Decrypt(default, ciphertext, decrypted);
            }

            double raw = 0, nsec = 0, noise = 0, roundTrip = 0;
            for (int round = 0; round < Rounds; round++)
            {
                raw = Math.Max(raw, MegabytesPerSecond(PlatformEncrypt));
                nsec = Math.Max(nsec, MegabytesPerSecond(RawEncrypt));
                noise = Math.Max(noise, MegabytesPerSecond(NoiseEncrypt));
                roundTrip = Math.Max(roundTrip, MegabytesPerSecond(NoiseRoundTrip));
            }

            Console.WriteLine($"noise-cipher: payload {PayloadSize} B, best of {Rounds} x {RoundTime.TotalMilliseconds} ms, one core");
            Console.WriteLine($"  raw platform ChaCha20Poly1305       {raw,9:F1} MB/s (baseline: what CipherState runs on)");
            Console.WriteLine($"  raw NSec ChaCha20Poly1305.Encrypt   {nsec,9:F1} MB/s  ratio {nsec / raw:F3}");
            Console.WriteLine($"  CipherState.Encrypt                 {noise,9:F1} MB/s  ratio {noise / raw:F3}");
            Console.WriteLine($"  CipherState.Encrypt+Decrypt (pair)  {roundTrip,9:F1} MB/s  ratio {roundTrip / raw:F3} (2 AEAD ops per payload)");
        }
    }

    /// <summary>Payload MB/s (10^6 bytes) of <paramref name="operation"/> over one round.</summary>
    private static double MegabytesPerSecond(Action operation)
    {
        operation(); // warm-up
        long count = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < RoundTime)
        {
            for (int i = 0; i < 16; i++)
                operation();
            count += 16;
        }
        return count * (double)PayloadSize / clock.Elapsed.TotalSeconds / 1e6;
    }

    /// <summary>Real transport keys from an NN handshake (CipherState has no public constructor).</summary>
    private static (CipherState Send, CipherState Receive) TransportPair()
    {
        using var initiator = new HandshakeState(HandshakePattern.NN, true, default, null);
        using var responder = new HandshakeState(HandshakePattern.NN, false, default, null);
        var message = new byte[CipherState.MaxMessageSize];
        int n = initiator.WriteMessage(default, message);
        responder.ReadMessage(message.AsSpan(0, n), default);
        n = responder.WriteMessage(default, message);
        initiator.ReadMessage(message.AsSpan(0, n), default);
        var (send, unusedReceive) = initiator.Split();
        var (unusedSend, receive) = responder.Split();
        unusedReceive.Dispose();
        unusedSend.Dispose();
        return (send, receive);
    }
}
