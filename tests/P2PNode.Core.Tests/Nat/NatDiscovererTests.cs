using System.Net;
using P2PNode.Nat;

namespace P2PNode.Core.Tests.Nat;

/// <summary>Discovery against scripted loopback servers. UPnP is left out here: SSDP multicasts (it runs in the gateway fixture).</summary>
[Collection("nat-timing")]
public sealed class NatDiscovererTests
{
    // Gateways that answer get a patient budget: a stalled machine can delay an answer past 500 ms, and the
    // probe would then fall through to the next protocol (or to null). Silent and closed ones get 500 ms:
    // their outcome is null either way, and the test stays short.
    private static readonly TimeSpan Answering = TimeSpan.FromSeconds(10), Silent = TimeSpan.FromMilliseconds(500);

    private static NatDiscoveryOptions Options(IPEndPoint server, TimeSpan budget) => new()
    {
        Gateway = server.Address,
        ServerPort = server.Port,
        LocalAddress = IPAddress.Loopback,
        Methods = [NatMethod.Pcp, NatMethod.NatPmp],
        PcpTimeout = budget,
        NatPmpTimeout = budget,
    };

    [Fact]
    public async Task PcpServerIsFoundFirst()
    {
        using var gw = new LoopbackUdpGateway((req, _) => req[0] == 2 ? [LoopbackUdpGateway.PcpGrant(req, 120)] : [LoopbackUdpGateway.NatPmpGrant(req, 60)]);
        await using var mapper = await NatDiscoverer.DiscoverAsync(Options(gw.Endpoint, Answering), CancellationToken.None);
        Assert.NotNull(mapper);
        Assert.Equal("PCP", mapper.Protocol);
        Assert.All(gw.Requests, r => Assert.Equal("0200", Convert.ToHexStringLower(r.AsSpan(0, 2)))); // ANNOUNCE only
    }

    [Fact]
    public async Task NatPmpOnlyServerIsFoundAfterItsVersionAnswer()
    {
        // A NAT-PMP-only gateway answers PCP with "unsupported version" (8 bytes, version 0).
        using var gw = new LoopbackUdpGateway((req, _) => req[0] == 2 ? [[0, (byte)(128 + req[1]), 0, 1, 0, 0, 0, 5]] : [LoopbackUdpGateway.NatPmpGrant(req, 60)]);
        await using var mapper = await NatDiscoverer.DiscoverAsync(Options(gw.Endpoint, Answering), CancellationToken.None);
        Assert.NotNull(mapper);
        Assert.Equal("NAT-PMP", mapper.Protocol);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), await mapper.GetExternalAddressAsync(CancellationToken.None));
    }

    [Fact]
    public async Task PcpServerWithoutAnnounceStillCountsAsPcp()
    {
        using var gw = new LoopbackUdpGateway((req, _) => req[1] == 0 ? [LoopbackUdpGateway.PcpGrant(req, 0, result: 4)] : [LoopbackUdpGateway.PcpGrant(req, 120)]);
        await using var mapper = await NatDiscoverer.DiscoverAsync(Options(gw.Endpoint, Answering), CancellationToken.None);
        Assert.Equal("PCP", mapper?.Protocol);
    }

    [Fact]
    public async Task NoServerMeansNullAndNatPmpIsNotRetriedOnAnUnreachablePort()
    {
        var closed = LoopbackUdpGateway.ClosedPort();
        var mapper = await NatDiscoverer.DiscoverAsync(Options(closed, Silent), CancellationToken.None);
        Assert.Null(mapper);
    }

    [Fact]
    public async Task SilentServerMeansNullWithinTheProbeBudgets()
    {
        using var gw = new LoopbackUdpGateway((_, _) => []);
        var mapper = await NatDiscoverer.DiscoverAsync(Options(gw.Endpoint, Silent), CancellationToken.None);
        Assert.Null(mapper);
        // Both were tried in turn: PCP (version 2) then NAT-PMP (version 0). The gateway's loop may lag behind
        // the client's timeout on a loaded machine, so wait (bounded) for the NAT-PMP request to be recorded.
        await Eventually.UntilAsync(() => gw.Requests.Any(r => r[0] == 0), "the NAT-PMP request to be recorded");
        Assert.Equal(2, gw.Requests.First()[0]);
        Assert.Equal(0, gw.Requests.Last()[0]);
    }
}
