using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using System.Security.Cryptography;
using NSec.Cryptography;
using PlatformAead = System.Security.Cryptography.ChaCha20Poly1305;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Transport;

namespace P2PNode.Benchmarks;

/// <summary>
/// Authenticated transport throughput between two processes on loopback (this process sends, a child
/// process running `transport-sink` receives), for 1 KiB and 1 MiB messages, and handshakes per second.
/// References measured in the same run: plain TCP between the same two processes, and the raw
/// ChaCha20-Poly1305 encrypt rate of one core, and that raw cipher moved over plain TCP between the same two
/// processes with nothing else (<see cref="CipherOverTcp"/>): the most any encrypted transport can move here,
/// since each side must both run the cipher and pay the kernel's copy on its one core.
/// </summary>
public static class TransportBench
{
    internal const long BytesPerRun = 512L << 20;

    public static async Task<int> RunAsync(string[] args)
    {
        using var sink = StartSink();
        var ports = (await sink.StandardOutput.ReadLineAsync())!.Split(' ');
        var noiseAddress = $"127.0.0.1:{ports[0]}";
        var plainPort = int.Parse(ports[1]);
        var connectPort = int.Parse(ports[2]);
        var cipherPort = int.Parse(ports[3]);

        var cipher = RawCipherRate(platform: true);
        var nsec = RawCipherRate(platform: false);
        Console.WriteLine($"raw ChaCha20-Poly1305 encrypt, one core: {cipher / 1e6:F0} MB/s with the platform's library (OpenSSL, what the transport runs; {1e9 / cipher:F2} CPU-s per GB), {nsec / 1e6:F0} MB/s with NSec (libsodium)");
        using var identity = NodeIdentity.Generate();
        var options = new TransportOptions { Listen = [], MaxFrameSize = 2 << 20 };
        await using var transport = new TcpTransport(identity, options, new NodeMetrics(), NullLogger.Instance);

        // Best of three interleaved rounds per case: the two cores are shared with whatever else runs.
        TransferRate? ceiling = null;
        var rows = new List<(string Name, TransferRate Plain, TransferRate Noise)>();
        for (var round = 0; round < 3; round++)
            ceiling = (await CipherOverTcp.SendAsync(cipherPort, BytesPerRun)).Best(ceiling);
        foreach (var size in new[] { 1024, 1 << 20 })
        {
            TransferRate? plain = null, noise = null;
            for (var round = 0; round < 3; round++)
            {
                plain = (await PlainTcpRateAsync(plainPort, size)).Best(plain);
                noise = (await NoiseRateAsync(transport, noiseAddress, size)).Best(noise);
            }
            rows.Add((size == 1024 ? "1 KiB" : "1 MiB", plain!, noise!));
        }

        Console.WriteLine($"raw cipher over plain TCP (no framing, no allocation): {ceiling!.BytesPerSecond / 1e6:F0} MB/s = {ceiling.BytesPerSecond / cipher:F2} of the raw cipher");
        Console.WriteLine("| message | plain TCP MB/s | Noise transport MB/s | ratio to raw cipher | ratio to raw NSec cipher | ratio to plain TCP | ratio to raw cipher over TCP |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, plain, noise) in rows)
            Console.WriteLine($"| {name} | {plain.BytesPerSecond / 1e6:F0} | {noise.BytesPerSecond / 1e6:F0} | {noise.BytesPerSecond / cipher:F2} | {noise.BytesPerSecond / nsec:F2} | {noise.BytesPerSecond / plain.BytesPerSecond:F2} | {noise.BytesPerSecond / ceiling.BytesPerSecond:F2} |");
        Console.WriteLine();
        Console.WriteLine("CPU seconds per GB moved, per process (the cipher alone costs " + $"{1e9 / cipher:F2}):");
        Console.WriteLine("| case | sender CPU-s/GB | receiver CPU-s/GB | raw cipher / sender | raw cipher / receiver |");
        Console.WriteLine("|---|---|---|---|---|");
        void CpuRow(string name, TransferRate r) => Console.WriteLine(
            $"| {name} | {r.SenderCpuPerByte * 1e9:F2} | {r.ReceiverCpuPerByte * 1e9:F2} | {1 / cipher / r.SenderCpuPerByte:F2} | {1 / cipher / r.ReceiverCpuPerByte:F2} |");
        CpuRow("raw cipher over plain TCP", ceiling);
        foreach (var (name, plain, noise) in rows)
        {
            CpuRow($"plain TCP, {name}", plain);
            CpuRow($"Noise transport, {name}", noise);
        }

        var handshakes = await HandshakeRateAsync(transport, noiseAddress, connectPort);
        Console.WriteLine($"handshakes/s (sequential, one dialler): {handshakes.Noise:F0}; plain TCP connects/s: {handshakes.Plain:F0}; ratio {handshakes.Noise / handshakes.Plain:F3}");
        sink.Kill(true);
        return 0;
    }

    private static Process StartSink()
    {
        var psi = new ProcessStartInfo("dotnet", [typeof(TransportBench).Assembly.Location, "transport-sink"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        return Process.Start(psi)!;
    }

    /// <summary>Encrypt rate of one core for full Noise-sized messages, with NSec (libsodium) or the
    /// platform's library (OpenSSL here), which <see cref="P2PNode.Noise.CipherState"/> prefers.</summary>
    private static double RawCipherRate(bool platform)
    {
        var keyBytes = RandomNumberGenerator.GetBytes(32);
        using var nsecKey = Key.Import(AeadAlgorithm.ChaCha20Poly1305, keyBytes, KeyBlobFormat.RawSymmetricKey);
        using var platformAead = new PlatformAead(keyBytes);
        var plain = new byte[65519];
        var output = new byte[plain.Length + 16];
        var nonce = new byte[12];
        long bytes = 0;
        var sw = Stopwatch.StartNew();
        ulong n = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(2))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), n++);
            if (platform) platformAead.Encrypt(nonce, plain, output.AsSpan(0, plain.Length), output.AsSpan(plain.Length));
            else AeadAlgorithm.ChaCha20Poly1305.Encrypt(nsecKey, nonce, default, plain, output);
            bytes += plain.Length;
        }
        return bytes / sw.Elapsed.TotalSeconds;
    }

    private static async Task<TransferRate> NoiseRateAsync(TcpTransport transport, string address, int size)
    {
        await using var c = await transport.DialAsync(address, null, default);
        var message = new byte[size];
        var batch = Enumerable.Repeat((ReadOnlyMemory<byte>)message, Math.Max(1, (1 << 20) / size)).ToArray();
        var count = BytesPerRun / size;
        var header = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(header, count);
        await c.SendAsync([header], default);
        var cpu = TransferRate.ProcessCpuSeconds();
        var sw = Stopwatch.StartNew();
        for (long sent = 0; sent < count; sent += batch.Length) await c.SendAsync(batch, default);
        var ack = await c.ReceiveAsync(default); // the sink's CPU seconds, after the last message
        return Rate(count * (double)size, sw, cpu, BitConverter.ToDouble(ack));
    }

    private static async Task<TransferRate> PlainTcpRateAsync(int port, int size)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var s = tcp.GetStream();
        var count = BytesPerRun / size;
        var perWrite = Math.Max(1, (1 << 20) / size);
        var block = new byte[perWrite * (4 + size)]; // the same 4-byte framing as ours, no encryption
        var writes = count / perWrite;
        var header = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(header, writes * block.Length);
        await s.WriteAsync(header);
        var cpu = TransferRate.ProcessCpuSeconds();
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < writes; i++) await s.WriteAsync(block);
        var ack = new byte[8];
        await s.ReadExactlyAsync(ack);
        return Rate(count * (double)size, sw, cpu, BitConverter.ToDouble(ack));
    }

    /// <summary>A finished transfer: <paramref name="cpuBefore"/> is this process's CPU time at the start,
    /// <paramref name="receiverCpu"/> the receiving process's CPU seconds for the transfer.</summary>
    internal static TransferRate Rate(double bytes, Stopwatch sw, double cpuBefore, double receiverCpu) =>
        new(bytes / sw.Elapsed.TotalSeconds, (TransferRate.ProcessCpuSeconds() - cpuBefore) / bytes, receiverCpu / bytes);

    private static async Task<(double Noise, double Plain)> HandshakeRateAsync(TcpTransport transport, string address, int connectPort)
    {
        var sw = Stopwatch.StartNew();
        var n = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(3))
        {
            await using var c = await transport.DialAsync(address, null, default);
            n++;
        }
        var noise = n / sw.Elapsed.TotalSeconds;
        sw.Restart();
        n = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(3))
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, connectPort);
            n++;
        }
        return (noise, n / sw.Elapsed.TotalSeconds);
    }
}
