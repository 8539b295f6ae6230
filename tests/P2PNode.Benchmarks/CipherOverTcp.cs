using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using PlatformAead = System.Security.Cryptography.ChaCha20Poly1305;

namespace P2PNode.Benchmarks;

/// <summary>
/// The ceiling for an encrypted transport on this machine: the sender encrypts 65519-byte pieces with the raw
/// ChaCha20-Poly1305 the transport runs (the platform's, <see cref="PlatformAead"/>) into 2-byte-length-prefixed messages (the Noise wire shape) and writes them in 256 KiB
/// blocks; the receiver reads them in 256 KiB blocks and decrypts each into one reused buffer. No framing, no
/// allocation, no abstraction: what is left is the cipher and the kernel's TCP copy on each side.
/// </summary>
internal static class CipherOverTcp
{
    private const int Piece = 65519;
    private const int Block = 256 * 1024;

    public static async Task<TransferRate> SendAsync(int port, long total)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        var keyBytes = RandomNumberGenerator.GetBytes(32);
        using var aead = new PlatformAead(keyBytes);
        var header = new byte[40];
        keyBytes.CopyTo(header, 0);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(32), total);
        await stream.WriteAsync(header);

        var plain = new byte[Piece];
        var wire = new byte[Block + 2 + Piece + 16];
        var nonce = new byte[12];
        ulong counter = 0;
        var cpu = TransferRate.ProcessCpuSeconds();
        var sw = Stopwatch.StartNew();
        int used = 0;
        for (long left = total; left > 0;)
        {
            var n = (int)Math.Min(Piece, left);
            BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), counter++);
            aead.Encrypt(nonce, plain.AsSpan(0, n), wire.AsSpan(used + 2, n), wire.AsSpan(used + 2 + n, 16));
            BinaryPrimitives.WriteUInt16BigEndian(wire.AsSpan(used), (ushort)(n + 16));
            used += 2 + n + 16;
            left -= n;
            if (used >= Block || left == 0)
            {
                await stream.WriteAsync(wire.AsMemory(0, used));
                used = 0;
            }
        }
        var ack = new byte[8];
        await stream.ReadExactlyAsync(ack);
        return TransportBench.Rate(total, sw, cpu, BitConverter.ToDouble(ack));
    }

    /// <summary>Starts the receiving listener; returns its port.</summary>
    public static int Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync();
                _ = Task.Run(() => ReceiveAsync(client));
            }
        });
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task ReceiveAsync(TcpClient client)
    {
        using var owned = client;
        var stream = client.GetStream();
        var header = new byte[40];
        await stream.ReadExactlyAsync(header);
        using var aead = new PlatformAead(header.AsSpan(0, 32));
        var left = BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(32));
        var wire = new byte[Block + 2 + Piece + 16];
        var plain = new byte[Piece];
        var nonce = new byte[12];
        ulong counter = 0;
        int start = 0, end = 0;
        var cpu = TransferRate.ProcessCpuSeconds();
        while (left > 0)
        {
            if (end - start >= 2)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(start));
                if (end - start >= 2 + length)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), counter++);
                    aead.Decrypt(nonce, wire.AsSpan(start + 2, length - 16), wire.AsSpan(start + 2 + length - 16, 16), plain.AsSpan(0, length - 16));
                    start += 2 + length;
                    left -= length - 16;
                    continue;
                }
            }
            if (start == end) start = end = 0;
            else if (start + 2 + Piece + 16 > wire.Length)
            {
                wire.AsSpan(start, end - start).CopyTo(wire);
                end -= start;
                start = 0;
            }
            var got = await stream.ReadAsync(wire.AsMemory(end));
            if (got == 0) return;
            end += got;
        }
        await stream.WriteAsync(BitConverter.GetBytes(TransferRate.ProcessCpuSeconds() - cpu));
        _ = await stream.ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false);
    }
}
