using System.Net;
using System.Net.Sockets;
using P2PNode.Tests.Transport;

namespace P2PNode.Tests.Defence;

/// <summary>[network] max_inbound_per_address on a real `p2pnode run`: the connection over the limit from one IP
/// is closed at accept time (logged, counted); other addresses are unaffected.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PerAddressLimitTests
{
    [Fact]
    public async Task The_third_connection_from_one_address_is_refused_when_the_limit_is_two()
    {
        await using var node = new RunningNode();
        node.Network["max_inbound_per_address"] = "2";
        node.Network["handshake_timeout_ms"] = "8000";
        await node.InitializeAsync();
        var from = IPAddress.Parse("127.0.0.9");

        async Task<TcpClient> ConnectAsync()
        {
            var tcp = new TcpClient(new IPEndPoint(from, 0));
            await tcp.ConnectAsync(node.Host, node.Port);
            await Task.Delay(300); // let the node take the slot before the next one arrives
            return tcp;
        }

        using var a = await ConnectAsync();
        using var b = await ConnectAsync();
        using var c = await ConnectAsync();
        // The node closes the third at once; the first two stay open (the handshake deadline is 8 s away).
        Assert.True(await ClosedWithinAsync(c, TimeSpan.FromSeconds(3)), "the third connection from 127.0.0.9 was closed");
        Assert.False(await ClosedWithinAsync(a, TimeSpan.FromMilliseconds(500)), "the first connection is still open");
        await node.WaitForCounterAsync("inbound_refused_limit", 1);
        await node.Process.WaitForLogAsync(l => l.Contains("refused inbound connection from 127.0.0.9:") && l.Contains("127.0.0.9 already has 2 connections (limit 2)"),
            TimeSpan.FromSeconds(5));
        // Another address still gets in (and through a full handshake and ping) while 127.0.0.9 is at its limit.
        await node.AssertHealthyAsync();
        Assert.Equal(1, node.Counter("inbound_refused_limit"));
    }

    private static async Task<bool> ClosedWithinAsync(TcpClient tcp, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { return await tcp.GetStream().ReadAsync(new byte[16], cts.Token) == 0; }
        catch (OperationCanceledException) { return false; }
        catch (IOException) { return true; }
    }
}
