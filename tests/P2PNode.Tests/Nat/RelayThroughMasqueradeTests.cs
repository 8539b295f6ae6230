using P2PNode.Metrics;
using P2PNode.Tests.Cli;

namespace P2PNode.Tests.Nat;

/// <summary>
/// A node behind a masquerading NAT with no port mapping (bootstrap/gateway-fixture.sh up-masq) cannot be dialled
/// from outside, yet joins the overlay through a relay: three real `p2pnode run` processes — a relay and a peer in
/// the WAN namespace, the NATed node in the LAN namespace with network.relay = "auto".
/// </summary>
[Collection("nat-gateway")]
public sealed class RelayThroughMasqueradeTests(MasqueradeFixture nat) : IClassFixture<MasqueradeFixture>
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    private sealed record Node(NetnsProcess Process, string PeerId, string Address, string Dir);

    private async Task<Node> StartAsync(TempFolder dir, string netns, string listen, string? bootstrap, params (string Key, string Value)[] settings)
    {
        var init = await NetnsProcess.RunAsync(netns, nat.P2PNodeDll, Step, "init", "--dir", dir.Path);
        Assert.True(init.Code == 0, $"init failed: {init.Stderr}");
        var config = Path.Combine(dir.Path, "node.toml");
        var lines = File.ReadAllLines(config).ToList();
        foreach (var (key, value) in settings)
        {
            var i = lines.FindIndex(l => l.StartsWith(key + " = ", StringComparison.Ordinal));
            Assert.True(i >= 0, $"node.toml has no {key}");
            lines[i] = $"{key} = {value}";
        }
        File.WriteAllLines(config, lines);
        string[] args = ["run", "--config", config, "--listen", listen];
        var process = NetnsProcess.Start(netns, nat.P2PNodeDll, bootstrap is null ? args : [.. args, "--bootstrap", bootstrap]);
        var line = await process.WaitForLineAsync(l => l.StartsWith("node ", StringComparison.Ordinal) && l.Contains(" listening on "), Step);
        var parts = line.Split(' ');
        return new Node(process, parts[1], parts[^1], dir.Path);
    }

    private static long Counter(Node node, string name)
    {
        var path = Path.Combine(node.Dir, "metrics.prom");
        return File.Exists(path) ? NodeMetrics.ParsePrometheusText(File.ReadAllText(path)).GetValueOrDefault(name) : 0;
    }

    private static string Dump(params Node[] nodes) => string.Join("\n----\n", nodes.Select(n =>
        $"{n.Process.Description}\nstdout:\n{string.Join('\n', n.Process.Stdout.Split('\n').Where(l => !l.StartsWith("view ")).TakeLast(40))}\nstderr:\n{string.Join('\n', n.Process.Stderr.Split('\n').TakeLast(60))}"));

    [SkippableTheory]
    [InlineData("auto")]
    [InlineData("fixed")]
    public async Task ANodeBehindANatWithoutMappingJoinsTheOverlayThroughARelay(string mode)
    {
        Skip.If(nat.SkipReason is not null, nat.SkipReason);
        Assert.True(nat.UpError is null, nat.UpError);
        using var relayDir = new TempFolder();
        using var peerDir = new TempFolder();
        using var lanDir = new TempFolder();

        var relay = await StartAsync(relayDir, nat.Wan, $"{MasqueradeFixture.WanAddress}:0", null, ("serve", "true"));
        using var relayProcess = relay.Process;
        var contact = $"{relay.PeerId}@{relay.Address}";
        var peer = await StartAsync(peerDir, nat.Wan, $"{MasqueradeFixture.WanAddress}:0", contact);
        using var peerProcess = peer.Process;
        var relaySetting = mode == "auto" ? "\"auto\"" : $"\"{contact}\"";
        var lan = await StartAsync(lanDir, nat.Lan, $"{MasqueradeFixture.LanAddress}:0", contact, ("relay", relaySetting));
        using var lanProcess = lan.Process;

        // network.port_mapping = "auto" (the default) finds no gateway that maps ports here: said once, then the relay decides.
        var mapping = await lan.Process.WaitForLineAsync(l => l.StartsWith("port mapping ", StringComparison.Ordinal), Step);
        Assert.True(mapping.StartsWith("port mapping none no gateway answered", StringComparison.Ordinal), mapping + "\n" + Dump(lan));

        // auto: the NATed node finds out it is behind NAT (the relay sees it as 192.0.2.1); fixed: it is told. Either way it reserves.
        var decision = await lan.Process.WaitForLineAsync(l => l.StartsWith("relay decision ", StringComparison.Ordinal), Step);
        var expected = mode == "auto" ? $"relay decision relayed behind NAT (seen as {MasqueradeFixture.ExternalAddress})" : $"relay decision relayed network.relay names {contact}";
        Assert.True(decision.StartsWith(expected, StringComparison.Ordinal), decision + "\n" + Dump(lan));
        var reservation = await lan.Process.WaitForLineAsync(l => l.StartsWith("relay reservation ", StringComparison.Ordinal), Step);
        Assert.Equal($"relay reservation relay:{relay.PeerId}@{relay.Address}/{lan.PeerId}", reservation);

        // Nothing outside can dial it directly: neither its own address nor the gateway's.
        var port = lan.Address[(lan.Address.LastIndexOf(':') + 1)..];
        foreach (var direct in new[] { lan.Address, $"{MasqueradeFixture.ExternalAddress}:{port}" })
        {
            var ping = await NetnsProcess.RunAsync(nat.Wan, nat.P2PNodeDll, Step, "ping", direct, "--count", "1", "--timeout-ms", "2000");
            Assert.True(ping.Code != 0, $"a direct dial to {direct} succeeded:\n{ping.Stdout}");
        }

        // The WAN peer takes the NATed node into its active view through a circuit on the relay.
        var n = 0;
        string? view = null;
        await Eventually.UntilAsync(async () =>
        {
            var tag = "v" + ++n;
            await peer.Process.WriteLineAsync("view " + tag);
            view = await peer.Process.WaitForLineAsync(l => l.StartsWith($"view {tag} ", StringComparison.Ordinal), Step);
            return view.Contains(lan.PeerId, StringComparison.Ordinal);
        }, "the WAN peer to take the NATed node into its view", TimeSpan.FromSeconds(60), () => $"last: {view}\n{Dump(relay, peer, lan)}",
            TimeSpan.FromMilliseconds(500));
        await WaitForCounterAsync(relay, "relay_circuits_opened", Dump(relay, peer, lan));
        await WaitForCounterAsync(lan, "relay_incoming_circuits_accepted", Dump(relay, peer, lan));

        // Broadcasts round-trip: the NATed node receives the peer's message and the peer receives its answer.
        await peer.Process.WriteLineAsync("publish hello-from-wan");
        await lan.Process.WaitForLineAsync(l => l.StartsWith("delivered ", StringComparison.Ordinal) && l.EndsWith(" hello-from-wan", StringComparison.Ordinal), Step);
        await lan.Process.WriteLineAsync("publish hello-from-lan");
        var delivered = await peer.Process.WaitForLineAsync(l => l.StartsWith("delivered ", StringComparison.Ordinal) && l.EndsWith(" hello-from-lan", StringComparison.Ordinal), Step);
        Assert.Contains($" from {lan.PeerId} ", delivered);
        // metrics.prom is rewritten once a second: wait for it rather than read it once.
        await WaitForCounterAsync(relay, "relay_bytes_forwarded", Dump(relay, peer, lan));

        // The relayed node shuts down cleanly (its reservation keeper stops before the transport closes).
        lan.Process.Terminate();
        var exit = await lan.Process.WaitForExitAsync(Step);
        Assert.True(exit == 0 && !lan.Process.Stderr.Contains("Unhandled exception", StringComparison.Ordinal), $"the NATed node exited {exit}\n{Dump(lan)}");
    }

    private static Task WaitForCounterAsync(Node node, string name, string dump) =>
        Eventually.UntilAsync(() => Counter(node, name) >= 1, $"counter {name} of {node.Process.Description} to leave 0", Step, () => dump,
            TimeSpan.FromMilliseconds(200));
}
