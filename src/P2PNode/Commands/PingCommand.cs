using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Transport;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode ping &lt;address&gt; [--peer ID] [--count N]`: dials a node with a throw-away identity, prints the
/// identity the node proved and the round-trip times. With --peer, fails unless the node proves that id.
/// </summary>
internal static class PingCommand
{
    public static async Task<int> RunAsync(Args a)
    {
        var expectedText = a.Get("peer");
        var count = a.GetInt("count", 1, 10_000) ?? 4;
        var timeoutMs = a.GetInt("timeout-ms", 100, 600_000) ?? 5000;
        a.EnsureAllUsed(maxPositional: 1);
        if (a.Positional.Count != 1) throw new UsageException("usage: p2pnode ping <host:port> [--peer <id>] [--count N]");
        var address = a.Positional[0];
        PeerId? expected = null;
        if (expectedText is not null)
        {
            if (!PeerId.TryParse(expectedText, out var parsed, out var error)) throw new UsageException($"--peer: {error}");
            expected = parsed;
        }

        using var identity = NodeIdentity.Generate();
        var options = new TransportOptions { Listen = [], HandshakeTimeout = TimeSpan.FromMilliseconds(timeoutMs) };
        await using var host = new NodeHost(identity, new TcpTransport(identity, options, new NodeMetrics(), NullLogger.Instance),
            options, new NodeMetrics(), NullLogger.Instance) { Agent = AgentInfo.Agent };
        PeerSession session;
        try
        {
            session = await host.ConnectAsync(address, expected, CancellationToken.None);
        }
        catch (Exception e) when (e is TransportException or SessionException)
        {
            Console.Error.WriteLine($"ping {address}: {e.Message}");
            return 1;
        }
        var hello = session.RemoteHello;
        Console.WriteLine($"connected to {session.RemotePeer} at {address} (protocol {hello.VersionMajor}.{hello.VersionMinor}, agent {hello.Agent})");
        var rtts = new List<double>();
        for (var i = 0; i < count; i++)
        {
            try
            {
                using var cts = new CancellationTokenSource(timeoutMs);
                var rtt = await session.PingAsync(cts.Token);
                rtts.Add(rtt.TotalMilliseconds);
                Console.WriteLine(FormattableString.Invariant($"pong from {session.RemotePeer.Short}: seq={i + 1} rtt={rtt.TotalMilliseconds:0.000} ms"));
            }
            catch (Exception e) when (e is OperationCanceledException or SessionException)
            {
                Console.Error.WriteLine($"ping {i + 1}: {(e is OperationCanceledException ? "timed out" : e.Message)}");
                return 1;
            }
            if (i + 1 < count) await Task.Delay(200);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rtts.Count} pongs, rtt min/avg/max = {rtts.Min():0.000}/{rtts.Average():0.000}/{rtts.Max():0.000} ms"));
        await session.CloseAsync(P2PNode.Wire.DisconnectReason.Normal, "ping done");
        return 0;
    }
}
