using System.Text.Json;

namespace P2PNode.Tests.Nat;

/// <summary>
/// Port mapping against a real gateway: miniupnpd 2.3.9 in network namespaces (bootstrap/gateway-fixture.sh).
/// The node runs in the LAN namespace behind the gateway; a peer in the WAN namespace reaches it only through
/// the mapping, at the gateway's external address 192.0.2.1. All addresses exist only inside the namespaces.
/// </summary>
[Collection("nat-gateway")]
public sealed class GatewayPortMappingTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    private void SkipOrFail()
    {
        Skip.If(gateway.SkipReason is not null, gateway.SkipReason);
        Assert.True(gateway.UpError is null, gateway.UpError);
    }

    private NetnsProcess Lan(params string[] args) => NetnsProcess.Start(gateway.Lan, gateway.P2PNodeDll, args);

    private static JsonElement Event(string line) => JsonDocument.Parse(line).RootElement;

    private static Func<string, bool> IsEvent(string kind) => line => line.StartsWith('{') && Event(line).GetProperty("event").GetString() == kind;

    /// <summary>Connects from the WAN namespace to the gateway's external address; returns the answer line or null.</summary>
    private async Task<string?> ConnectFromOutsideAsync(int publicPort)
    {
        var (code, stdout, _) = await NetnsProcess.RunAsync(gateway.Wan, gateway.P2PNodeDll, Step,
            "nat", "connect-test", "--to", $"{GatewayFixture.ExternalAddress}:{publicPort}", "--timeout-ms", "5000");
        return code == 0 ? stdout.Trim() : null;
    }

    /// <summary>
    /// A connection that must succeed: up to three attempts, because miniupnpd renews a NAT-PMP mapping by
    /// removing and re-adding its rules, and a SYN that falls in that gap is refused. Fails with the mapper's
    /// output and the gateway's log and rules, so a failure in CI says why.
    /// </summary>
    private async Task AssertReachableAsync(int publicPort, NetnsProcess mapper)
    {
        string? answer = null;
        for (var attempt = 0; attempt < 3 && answer is null; attempt++)
        {
            if (attempt > 0) await Task.Delay(300);
            answer = await ConnectFromOutsideAsync(publicPort);
        }
        Assert.True(answer?.StartsWith($"p2pnode-nat-test {GatewayFixture.WanPeerAddress} ") == true,
            $"no answer through the mapping (got '{answer}')\nmapper stdout:\n{mapper.Stdout}\nmapper stderr:\n{mapper.Stderr}\n" +
            $"gateway rules:\n{gateway.GatewayRules()}\nminiupnpd log:\n{gateway.MiniupnpdLog()}");
    }

    /// <summary>UPnP GetSpecificPortMappingEntry from the LAN side: miniupnpd lists every mapping, whichever protocol made it.</summary>
    private async Task<JsonElement> QueryAsync(int publicPort)
    {
        // The query is the test's own observation tool with a 3 s UPnP budget: a miniupnpd starved past it on a
        // loaded machine ("no reply to ...") is asked again for up to 60 s (three tries in a row were once not
        // enough); any other failure fails at once.
        var failures = new List<string>();
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var (code, stdout, stderr) = await NetnsProcess.RunAsync(gateway.Lan, gateway.P2PNodeDll, Step,
                "nat", "query", "--gateway", GatewayFixture.GatewayAddress, "--public-port", publicPort.ToString());
            if (code == 0) return Event(stdout.Trim());
            failures.Add($"({code}) {stderr.Trim()}");
            if (!stderr.Contains("no reply to", StringComparison.Ordinal) || DateTimeOffset.UtcNow > until) break;
            await Task.Delay(1000);
        }
        Assert.Fail($"nat query failed: {string.Join(" | ", failures)}\nminiupnpd log:\n{gateway.MiniupnpdLog()}");
        return default;
    }

    [SkippableTheory]
    [InlineData("natpmp", "NAT-PMP", 41001)]
    [InlineData("pcp", "PCP", 41002)]
    [InlineData("upnp", "UPnP-IGD", 41003)]
    public async Task PeerOutsideReachesTheNodeThroughARenewedMappingThatIsDeletedOnShutdown(string protocol, string protocolName, int port)
    {
        SkipOrFail();
        using var server = Lan("nat", "serve-test", "--port", port.ToString());
        await server.WaitForLineAsync(IsEvent("listening"), Step);

        // A 6 s lifetime renewed every 1.5 s at most (miniupnpd stretches PCP lifetimes to its 120 s minimum).
        using var mapper = Lan("nat", "map", "--protocol", protocol, "--gateway", GatewayFixture.GatewayAddress,
            "--port", port.ToString(), "--lifetime", "6", "--max-renew", "1.5");
        var mapped = Event(await mapper.WaitForLineAsync(IsEvent("mapped"), Step));
        Assert.Equal(protocolName, mapped.GetProperty("protocol").GetString());
        Assert.Equal(GatewayFixture.ExternalAddress, mapped.GetProperty("externalAddress").GetString());
        var publicPort = mapped.GetProperty("publicPort").GetInt32();
        Assert.Equal(port, publicPort);
        var firstExpiry = mapped.GetProperty("expires").GetDateTimeOffset();

        // The peer outside connects to the gateway's external address and is answered by the node inside;
        // the node saw the peer's own WAN address, so the connection really crossed the gateway.
        await AssertReachableAsync(publicPort, mapper);
        var entry = await QueryAsync(publicPort);
        Assert.True(entry.GetProperty("present").GetBoolean());
        Assert.Equal(GatewayFixture.LanAddress, entry.GetProperty("internalClient").GetString());

        // Renewal: two renewals, each pushing the expiry later; then, past the first lifetime's end (miniupnpd
        // removes expired mappings, see UnrenewedMappingExpires), the node is still reachable.
        var renewed1 = Event(await mapper.WaitForLineAsync(IsEvent("renewed"), Step));
        var renewed2 = Event(await mapper.WaitForLineAsync(IsEvent("renewed"), Step));
        Assert.True(renewed1.GetProperty("expires").GetDateTimeOffset() > firstExpiry);
        Assert.True(renewed2.GetProperty("expires").GetDateTimeOffset() > renewed1.GetProperty("expires").GetDateTimeOffset());
        Assert.Equal(publicPort, renewed2.GetProperty("publicPort").GetInt32());
        var lifetime = TimeSpan.FromSeconds(mapped.GetProperty("lifetimeSeconds").GetDouble());
        if (lifetime <= TimeSpan.FromSeconds(10))
        {
            var wait = firstExpiry + TimeSpan.FromSeconds(2) - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
        }
        await AssertReachableAsync(publicPort, mapper);
        Assert.True((await QueryAsync(publicPort)).GetProperty("present").GetBoolean());

        // Shutdown deletes the mapping: the gateway no longer lists or forwards it.
        mapper.CloseStdin();
        var deleted = Event(await mapper.WaitForLineAsync(IsEvent("deleted"), Step));
        Assert.Equal(publicPort, deleted.GetProperty("publicPort").GetInt32());
        Assert.Equal(0, await mapper.WaitForExitAsync(Step));
        Assert.False((await QueryAsync(publicPort)).GetProperty("present").GetBoolean());
        Assert.DoesNotContain($"dport {publicPort}", gateway.GatewayRules());
        Assert.Null(await ConnectFromOutsideAsync(publicPort));

        server.CloseStdin();
        Assert.Equal(0, await server.WaitForExitAsync(Step));
    }

    [SkippableFact]
    public async Task UnrenewedMappingExpires()
    {
        // The control for the renewal test: a mapper killed outright neither renews nor deletes, and the
        // gateway drops the mapping once its lifetime is over. 12 s leaves time to see it listed first, even when
        // the query (a fresh dotnet process) starts slowly on a loaded machine.
        SkipOrFail();
        const int port = 41004;
        using (var mapper = Lan("nat", "map", "--protocol", "natpmp", "--gateway", GatewayFixture.GatewayAddress, "--port", port.ToString(), "--lifetime", "12"))
        {
            await mapper.WaitForLineAsync(IsEvent("mapped"), Step);
            mapper.Kill();
        }
        Assert.True((await QueryAsync(port)).GetProperty("present").GetBoolean());
        await Eventually.UntilAsync(async () => !(await QueryAsync(port)).GetProperty("present").GetBoolean(),
            "miniupnpd to drop a mapping with a 12 s lifetime", TimeSpan.FromSeconds(45), gateway.MiniupnpdLog, TimeSpan.FromMilliseconds(500));
        Assert.DoesNotContain($"dport {port}", gateway.GatewayRules());
    }

    [SkippableFact]
    public async Task AutomaticDiscoveryFindsTheDefaultGatewayAndPrefersPcp()
    {
        // No --gateway: PCP and NAT-PMP go to the default route read from /proc/net/route in the LAN namespace.
        SkipOrFail();
        using var mapper = Lan("nat", "map", "--port", "41005", "--lifetime", "60", "--verbose");
        var mapped = Event(await mapper.WaitForLineAsync(IsEvent("mapped"), Step));
        Assert.Equal("PCP", mapped.GetProperty("protocol").GetString());
        mapper.CloseStdin();
        await mapper.WaitForLineAsync(IsEvent("deleted"), Step);
        Assert.Equal(0, await mapper.WaitForExitAsync(Step));
        var (code, stdout, _) = await NetnsProcess.RunAsync(gateway.Lan, gateway.P2PNodeDll, Step, "nat", "gateway");
        Assert.Equal(0, code);
        Assert.Equal(GatewayFixture.GatewayAddress, stdout.Trim());
    }

    [SkippableFact]
    public async Task UdpMappingIsListedForOurOwnLanAddress()
    {
        SkipOrFail();
        // A UDP mapping over UPnP is listed for our own LAN address (secure_mode=yes would refuse any other).
        using var mapper = Lan("nat", "map", "--protocol", "upnp", "--gateway", GatewayFixture.GatewayAddress,
            "--port", "41006", "--transport", "udp", "--lifetime", "60");
        var mapped = Event(await mapper.WaitForLineAsync(IsEvent("mapped"), Step));
        Assert.Equal("udp", mapped.GetProperty("transport").GetString());
        var (code, stdout, stderr) = await NetnsProcess.RunAsync(gateway.Lan, gateway.P2PNodeDll, Step,
            "nat", "query", "--gateway", GatewayFixture.GatewayAddress, "--public-port", "41006", "--transport", "udp");
        Assert.True(code == 0, stderr);
        Assert.Equal(GatewayFixture.LanAddress, Event(stdout.Trim()).GetProperty("internalClient").GetString());
        mapper.CloseStdin();
        Assert.Equal(0, await mapper.WaitForExitAsync(Step));
    }
}
