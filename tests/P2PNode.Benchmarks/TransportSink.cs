using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Transport;

namespace P2PNode.Benchmarks;

/// <summary>The receiving process of <see cref="TransportBench"/> (`transport-sink`).</summary>
public static class TransportSink
{
    /// <summary>The receiving process: a Noise listener, a plain TCP listener and a connect-only listener.</summary>
    public static async Task<int> RunAsync()
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
            var cpu = TransferRate.ProcessCpuSeconds();
            for (long i = 0; i < count; i++) await c.ReceiveAsync(default);
            await c.SendAsync([BitConverter.GetBytes(TransferRate.ProcessCpuSeconds() - cpu)], default);
            await c.ReceiveAsync(default);
        }, default);
        var plain = new TcpListener(IPAddress.Loopback, 0);
        plain.Start();
        var connectOnly = new TcpListener(IPAddress.Loopback, 0);
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
                    var cpu = TransferRate.ProcessCpuSeconds();
                    long total = 0;
                    while (total < expected)
                    {
                        var n = await s.ReadAsync(buffer);
                        if (n == 0) return;
                        total += n;
                    }
                    await s.WriteAsync(BitConverter.GetBytes(TransferRate.ProcessCpuSeconds() - cpu));
                    _ = await s.ReadAtLeastAsync(buffer, 1, throwOnEndOfStream: false); // wait for the sender to close
                });
            }
        });
        var cipher = CipherOverTcp.Listen();
        Console.WriteLine($"{noise[0].Split(':')[1]} {((IPEndPoint)plain.LocalEndpoint).Port} {((IPEndPoint)connectOnly.LocalEndpoint).Port} {cipher}");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
