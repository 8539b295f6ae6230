using System.Text.Json;
using P2PNode.Metrics;
using P2PNode.Tests.Cli;

namespace P2PNode.Tests.Nat;

/// <summary>
/// network.port_mapping inside `p2pnode run`, against a real gateway (miniupnpd in network namespaces,
/// bootstrap/gateway-fixture.sh): a node in the LAN namespace with the default "auto" maps its listen port,
/// advertises the gateway's external address, is reached from the WAN namespace at that address by a handshake
/// that proves its peer id, and deletes the mapping when it gets SIGTERM.
/// </summary>
[Collection("nat-gateway")]
public sealed class RunPortMappingTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    private async Task<JsonElement> QueryAsync(int publicPort)
    {
        // The fixture's own observation tool; a miniupnpd starved on a loaded machine is asked again for a while.
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var (code, stdout, stderr) = await NetnsProcess.RunAsync(gateway.Lan, gateway.P2PNodeDll, Step,
                "nat", "query", "--gateway", GatewayFixture.GatewayAddress, "--public-port", publicPort.ToString());
            if (code == 0) return JsonDocument.Parse(stdout.Trim()).RootElement.Clone();
            Assert.True(stderr.Contains("no reply to", StringComparison.Ordinal) && DateTimeOffset.UtcNow < until,
                $"nat query failed ({code}): {stderr}\nminiupnpd log:\n{gateway.MiniupnpdLog()}");
            await Task.Delay(1000);
        }
    }

    private async Task<(int Code, string Stdout, string Stderr)> PingFromOutsideAsync(string address, string peerId) =>
        await NetnsProcess.RunAsync(gateway.Wan, gateway.P2PNodeDll, Step, "ping", address, "--peer", peerId, "--count", "1", "--timeout-ms", "5000");

    [SkippableFact]
    public async Task A_node_behind_the_gateway_maps_its_port_is_reached_from_outside_and_deletes_the_mapping_on_sigterm()
    {
        Skip.If(gateway.SkipReason is not null, gateway.SkipReason);
        Assert.True(gateway.UpError is null, gateway.UpError);
        using var dir = new TempFolder();
        var init = await NetnsProcess.RunAsync(gateway.Lan, gateway.P2PNodeDll, Step, "init", "--dir", dir.Path);
        Assert.True(init.Code == 0, init.Stderr);
        Assert.Contains("port_mapping = \"auto\"", File.ReadAllText(dir["node.toml"])); // the default, untouched

        using var node = NetnsProcess.Start(gateway.Lan, gateway.P2PNodeDll, "run", "--config", dir["node.toml"], "--listen", $"{GatewayFixture.LanAddress}:0");
        var listening = (await node.WaitForLineAsync(l => l.StartsWith("node ", StringComparison.Ordinal) && l.Contains(" listening on "), Step)).Split(' ');
        var (peerId, local) = (listening[1], listening[^1]);
        var port = int.Parse(local[(local.LastIndexOf(':') + 1)..]);

        // PCP answers first (auto tries PCP, NAT-PMP, UPnP in that order); the external port is the listen port.
        var mapped = await node.WaitForLineAsync(l => l.StartsWith("port mapping ", StringComparison.Ordinal), Step);
        var external = $"{GatewayFixture.ExternalAddress}:{port}";
        Assert.True(mapped == $"port mapping mapped PCP {external} {port}", $"{mapped}\n{node.Stdout}\n{node.Stderr}\n{gateway.MiniupnpdLog()}");
        await node.WaitForLogAsync(l => l.Contains($"overlay: topic p2pnode/default, advertising {external}", StringComparison.Ordinal), Step);
        var entry = await QueryAsync(port);
        Assert.True(entry.GetProperty("present").GetBoolean());
        Assert.Equal(GatewayFixture.LanAddress, entry.GetProperty("internalClient").GetString());
        Assert.Equal(port, entry.GetProperty("internalPort").GetInt32());

        // A peer outside dials the gateway's address and the node inside proves its identity there.
        var ping = await PingFromOutsideAsync(external, peerId);
        Assert.True(ping.Code == 0, $"ping through the mapping failed: {ping.Stderr}\nnode:\n{node.Stdout}\n{node.Stderr}\nrules:\n{gateway.GatewayRules()}");
        Assert.Contains($"connected to {peerId} at {external}", ping.Stdout);
        await node.WaitForLogAsync(l => l.Contains("inbound session with ", StringComparison.Ordinal) && l.Contains($" at {GatewayFixture.WanPeerAddress}:", StringComparison.Ordinal), Step);

        // SIGTERM: the node deletes the mapping before it exits; the gateway no longer lists or forwards it.
        node.Terminate();
        await node.WaitForLineAsync(l => l == $"port mapping deleted {external}", Step);
        Assert.Equal(0, await node.WaitForExitAsync(Step));
        Assert.False((await QueryAsync(port)).GetProperty("present").GetBoolean());
        Assert.DoesNotContain($"dport {port}", gateway.GatewayRules());
        Assert.NotEqual(0, (await PingFromOutsideAsync(external, peerId)).Code);

        var metrics = NodeMetrics.ParsePrometheusText(File.ReadAllText(Path.Combine(dir.Path, "metrics.prom")));
        Assert.Equal(1, metrics.GetValueOrDefault("nat_mapping_created"));
        Assert.Equal(1, metrics.GetValueOrDefault("nat_mapping_deleted"));
    }
}
