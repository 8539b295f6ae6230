using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NSec.Cryptography;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Transport;

namespace P2PNode.Benchmarks;

/// <summary>
/// Authenticated transport throughput between two processes on loopback (this process sends, a child
/// process running `transport-sink` receives), for 1 KiB and 1 MiB messages, and handshakes per second.
/// References measured in the same run: plain TCP between the same two processes, and the raw
/// ChaCha20-Poly1305 encrypt rate of one core (the cipher bounds the transport: each side has one core).
/// </summary>
public static class TransportBench
{
    private const long BytesPerRun = 512L << 20;

    public static async Task<int> RunAsync(string[] args)
    {
        using var sink = StartSink();
        var ports = (await sink.StandardOutput.ReadLineAsync())!.Split(' ');
        var noiseAddress = $"127.0.0.1:{ports[0]}";
        var plainPort = int.Parse(ports[1]);

        var cipher = RawCipherRate();
        Console.WriteLine($"raw ChaCha20-Poly1305 encrypt, one core: {cipher / 1e6:F0} MB/s");
        using var identity = NodeIdentity.Generate();
        var options = new TransportOptions { Listen = [], MaxFrameSize = 2 << 20 };
        await using var transport = new TcpTransport(identity, options, new NodeMetrics(), NullLogger.Instance);

        Console.WriteLine("| message | plain TCP MB/s | Noise transport MB/s | ratio to raw cipher | ratio to plain TCP |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var size in new[] { 1024, 1 << 20 })
        {
            var plain = await PlainTcpRateAsync(plainPort, size);
            var noise = await NoiseRateAsync(transport, noiseAddress, size);
            Console.WriteLine($"| {(size == 1024 ? "1 KiB" : "1 MiB")} | {plain / 1e6:F0} | {noise / 1e6:F0} | {noise / cipher:F2} | {noise / plain:F2} |");
        }

        var handshakes = await HandshakeRateAsync(transport, noiseAddress, plainPort);
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

    private static double RawCipherRate()
    {
        var aead = AeadAlgorithm.ChaCha20Poly1305;
        using var key = Key.Create(aead);
        var plain = new byte[65519];
        var output = new byte[plain.Length + 16];
        var nonce = new byte[12];
        long bytes = 0;
        var sw = Stopwatch.StartNew();
        ulong n = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(2))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), n++);
            aead.Encrypt(key, nonce, default, plain, output);
            bytes += plain.Length;
        }
        return bytes / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> NoiseRateAsync(TcpTransport transport, string address, int size)
    {
        await using var c = await transport.DialAsync(address, null, default);
        var message = new byte[size];
        var batch = Enumerable.Repeat((ReadOnlyMemory<byte>)message, Math.Max(1, (1 << 20) / size)).ToArray();
        var count = BytesPerRun / size;
        var header = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(header, count);
        await c.SendAsync([header], default);
        var sw = Stopwatch.StartNew();
        for (long sent = 0; sent < count; sent += batch.Length) await c.SendAsync(batch, default);
        await c.ReceiveAsync(default); // the sink's acknowledgement after the last message
        return count * (double)size / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> PlainTcpRateAsync(int port, int size)
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
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < writes; i++) await s.WriteAsync(block);
        await s.ReadExactlyAsync(new byte[1]);
        return count * (double)size / sw.Elapsed.TotalSeconds;
    }

    private static async Task<(double Noise, double Plain)> HandshakeRateAsync(TcpTransport transport, string address, int plainPort)
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
            await tcp.ConnectAsync(IPAddress.Loopback, plainPort + 1);
            n++;
        }
        return (noise, n / sw.Elapsed.TotalSeconds);
    }

    /// <summary>The receiving process: a Noise listener, a plain TCP listener and a connect-only listener.</summary>
    public static async Task<int> SinkAsync()
    {
        using var identity = NodeIdentity.Generate();
        var options = new TransportOptions { Listen = ["127.0.0.1:0"], MaxFrameSize = 2 << 20, MaxInbound = 100_000, MaxInboundPerAddress = 100_000 };
        await using var transport = new TcpTransport(identity, options, new NodeMetrics(), NullLogger.Instance);
        var noise = await transport.ListenAsync(async c =>
        {
            await using var _ = c;
            var header = await c.ReceiveAsync(default);
            if (header is null) return;
            var count = BinaryPrimitives.ReadInt64BigEndian(header);
            for (long i = 0; i < count; i++) await c.ReceiveAsync(default);
            await c.SendAsync([new byte[1]], default);
            await c.ReceiveAsync(default);
        }, default);
        var plain = new TcpListener(IPAddress.Loopback, 0);
        plain.Start();
        var connectOnly = new TcpListener(IPAddress.Loopback, ((IPEndPoint)plain.LocalEndpoint).Port + 1);
        connectOnly.Start();
        _ = Task.Run(async () => { while (true) (await connectOnly.AcceptTcpClientAsync()).Dispose(); });
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var client = await plain.AcceptTcpClientAsync();
                _ = Task.Run(async () =>
                {
                    using var owned = client;
                    var s = client.GetStream();
                    var header = new byte[8];
                    await s.ReadExactlyAsync(header);
                    var expected = BinaryPrimitives.ReadInt64BigEndian(header);
                    var buffer = new byte[1 << 20];
                    long total = 0;
                    while (total < expected)
                    {
                        var n = await s.ReadAsync(buffer);
                        if (n == 0) return;
                        total += n;
                    }
                    await s.WriteAsync(new byte[1]);
                    _ = await s.ReadAtLeastAsync(buffer, 1, throwOnEndOfStream: false); // wait for the sender to close
                });
            }
        });
        Console.WriteLine($"{noise[0].Split(':')[1]} {((IPEndPoint)plain.LocalEndpoint).Port}");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
