using System.Net;
using P2PNode.Nat;
using P2PNode.Nat.NatPmp;
using P2PNode.Nat.Pcp;

namespace P2PNode.Core.Tests.Nat;

/// <summary>NAT-PMP and PCP clients against a scripted server on loopback: resends, timeouts, stale and bad replies.</summary>
[Collection("nat-timing")]
public sealed class UdpMapperTests
{
    private static readonly RetransmitPolicy Fast = new() { InitialTimeout = TimeSpan.FromMilliseconds(100), TotalTimeout = TimeSpan.FromMilliseconds(600) };
    // For tests about content, not timing: a loaded machine may delay an answer past a short first wait,
    // so assertions look at distinct requests (a resend is the same bytes).
    private static readonly RetransmitPolicy Patient = new() { InitialTimeout = TimeSpan.FromMilliseconds(500), TotalTimeout = TimeSpan.FromSeconds(10) };
    private static readonly PortMapping Request = new(NatProtocol.Tcp, 7700, 7700, TimeSpan.FromSeconds(60), "test");

    [Fact]
    public async Task NatPmpResendsUntilTheGatewayAnswers()
    {
        // Silent for the first two requests, as if they were lost. Patient: a 600 ms budget can be eaten by a
        // stalled thread on a loaded machine before the third request goes out (seen in a CI-like run).
        using var gw = new LoopbackUdpGateway((req, n) => n < 3 ? [] : [LoopbackUdpGateway.NatPmpGrant(req, 60)]);
        await using var client = new NatPmpClient(gw.Endpoint, IPAddress.Loopback, Patient);
        var address = await client.GetExternalAddressAsync(CancellationToken.None);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), address);
        Assert.True(gw.Requests.Count >= 3, $"{gw.Requests.Count} requests"); // answered only from the third on
        Assert.All(gw.Requests, r => Assert.Equal([0, 0], r));
    }

    [Fact]
    public async Task SilentGatewayTimesOutAfterTheTotalBudget()
    {
        // What miniupnpd does with a malformed request: no answer at all. The caller must not wait forever.
        using var gw = new LoopbackUdpGateway((_, _) => []);
        await using var client = new NatPmpClient(gw.Endpoint, IPAddress.Loopback, Fast);
        var e = await Assert.ThrowsAsync<NatTimeoutException>(() => client.CreateAsync(Request, CancellationToken.None));
        Assert.Equal(NatErrorKind.Timeout, e.Kind);
        // The whole budget was waited, not given up early (wall clock only as a lower bound: the loop stops
        // with under 10 ms left).
        Assert.True(e.Waited >= Fast.TotalTimeout - TimeSpan.FromMilliseconds(10), $"gave up after {e.Waited}");
        // 100 + 200 + the 300 ms left of the 600 ms budget at most; a stalled thread on a loaded machine may
        // merge attempts (a 600 ms stall leaves one), so the count is only bounded above.
        Assert.InRange(e.Attempts, 1, 3);
        // The gateway's loop may not have read the last datagram yet: wait for the first, then check the bound.
        await Eventually.UntilAsync(() => !gw.Requests.IsEmpty, "the gateway to receive a request");
        Assert.InRange(gw.Requests.Count, 1, e.Attempts);
    }

    [Fact]
    public async Task ClosedPortIsReportedUnreachable()
    {
        // Patient: ICMP answers at once, but a 600 ms budget eaten by a stall would end in a timeout instead.
        await using var client = new NatPmpClient(LoopbackUdpGateway.ClosedPort(), IPAddress.Loopback, Patient);
        var e = await Assert.ThrowsAsync<NatException>(() => client.GetExternalAddressAsync(CancellationToken.None));
        Assert.Equal(NatErrorKind.Unreachable, e.Kind);
    }

    [Fact]
    public async Task StaleRepliesAreSkippedAndTheRightOneIsTaken()
    {
        // First a late external-address answer and an answer for another port, then ours.
        using var gw = new LoopbackUdpGateway((req, _) => req[1] == 0
            ? [LoopbackUdpGateway.NatPmpGrant(req, 0)]
            : [LoopbackUdpGateway.NatPmpGrant([0, 0], 0), Convert.FromHexString("00820000000000091e151e1500000e10"), LoopbackUdpGateway.NatPmpGrant(req, 3600)]);
        await using var client = new NatPmpClient(gw.Endpoint, IPAddress.Loopback, Patient);
        var mapping = await client.CreateAsync(Request, CancellationToken.None);
        Assert.Equal(7700, mapping.PublicPort);
        Assert.Equal(TimeSpan.FromHours(1), mapping.Lifetime);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), mapping.PublicAddress);
        Assert.True(mapping.Expires > DateTimeOffset.UtcNow.AddMinutes(59));
    }

    [Fact]
    public async Task MalformedReplyFailsAtOnceWithTheReason()
    {
        using var gw = new LoopbackUdpGateway((_, _) => [Convert.FromHexString("0082000000000009")]);
        await using var client = new NatPmpClient(gw.Endpoint, IPAddress.Loopback, Patient);
        var e = await Assert.ThrowsAsync<NatMalformedReplyException>(() => client.CreateAsync(Request, CancellationToken.None));
        Assert.Contains("8 bytes, expected 16", e.Message);
        Assert.Single(Distinct(gw));
    }

    [Fact]
    public async Task RefusalCarriesTheResultCode()
    {
        using var gw = new LoopbackUdpGateway((req, _) => [LoopbackUdpGateway.NatPmpGrant(req, 60, result: 2)]);
        await using var client = new NatPmpClient(gw.Endpoint, IPAddress.Loopback, Patient);
        var e = await Assert.ThrowsAsync<NatGatewayException>(() => client.CreateAsync(Request, CancellationToken.None));
        Assert.Equal(NatErrorKind.NotAuthorized, e.Kind);
        Assert.Equal(2, e.Code);
    }

    [Fact]
    public async Task NatPmpDeleteSendsLifetimeZeroAndPortZero()
    {
        using var gw = new LoopbackUdpGateway((req, _) => [LoopbackUdpGateway.NatPmpGrant(req, 60)]);
        await using var client = new NatPmpClient(gw.Endpoint, IPAddress.Loopback, Patient);
        await client.DeleteAsync(Request with { PublicPort = 7701 }, CancellationToken.None);
        Assert.Equal("000200001e14000000000000", Convert.ToHexStringLower(Assert.Single(Distinct(gw))));
    }

    // A gateway that answers a resent request twice leaves a late duplicate queued; the next exchange must not
    // take it as its own answer (for a delete: a success with a non-zero lifetime). Under load this failed the
    // gateway test's "deleted on shutdown" step for NAT-PMP and PCP before UdpExchange dropped stale datagrams.
    [Fact]
    public async Task ADuplicatedReplyToARenewalDoesNotFailTheDelete()
    {
        // Requests: create, external address, renewal (answered twice, as after a resend), delete.
        using var gw = new LoopbackUdpGateway((req, n) => n == 3
            ? [LoopbackUdpGateway.NatPmpGrant(req, 60), LoopbackUdpGateway.NatPmpGrant(req, 60)]
            : [LoopbackUdpGateway.NatPmpGrant(req, 60)]);
        await using var client = new NatPmpClient(gw.Endpoint, IPAddress.Loopback, Patient);
        await client.CreateAsync(Request, CancellationToken.None);
        var mapping = await client.CreateAsync(Request, CancellationToken.None);
        await client.DeleteAsync(mapping, CancellationToken.None);
        Assert.Equal("000200001e14000000000000", Convert.ToHexStringLower(Distinct(gw)[^1]));
    }

    [Fact]
    public void InvalidRequestsAreRefusedBeforeSending()
    {
        Assert.Throws<ArgumentException>(() => (Request with { Lifetime = TimeSpan.Zero }).EnsureValidRequest());
        Assert.Throws<ArgumentException>(() => (Request with { PrivatePort = 0 }).EnsureValidRequest());
        Assert.Throws<ArgumentException>(() => (Request with { PublicPort = 70000 }).EnsureValidRequest());
        Assert.Throws<ArgumentException>(() => new RetransmitPolicy { TotalTimeout = TimeSpan.FromMilliseconds(10) }.Validate());
    }

    [Fact]
    public async Task PcpMapCarriesOurAddressAndTheDeleteReusesTheNonce()
    {
        using var gw = new LoopbackUdpGateway((req, _) => [LoopbackUdpGateway.PcpGrant(req, 120)]);
        await using var client = new PcpClient(gw.Endpoint, IPAddress.Loopback, Patient);
        var mapping = await client.CreateAsync(Request, CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(120), mapping.Lifetime);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), mapping.PublicAddress);
        await client.DeleteAsync(mapping, CancellationToken.None);
        var requests = Distinct(gw);
        Assert.Equal(2, requests.Length);
        Assert.Equal("00000000000000000000ffff7f000001", Convert.ToHexStringLower(requests[0].AsSpan(8, 16))); // client IP
        Assert.Equal(requests[0].AsSpan(24, 12).ToArray(), requests[1].AsSpan(24, 12).ToArray()); // same nonce
        Assert.Equal([0, 0, 0, 0], requests[1].AsSpan(4, 4).ToArray()); // lifetime 0
    }

    [Fact]
    public async Task PcpIgnoresAnswersWithAnotherNonce()
    {
        var wrong = Convert.FromHexString("0102030405060708090a0b0c");
        using var gw = new LoopbackUdpGateway((req, _) => [LoopbackUdpGateway.PcpGrant(req, 120, nonce: wrong)]);
        await using var client = new PcpClient(gw.Endpoint, IPAddress.Loopback, Fast);
        await Assert.ThrowsAsync<NatTimeoutException>(() => client.CreateAsync(Request, CancellationToken.None));
    }

    [Fact]
    public async Task PcpRenewalsKeepTheNonceOfTheMapping()
    {
        using var gw = new LoopbackUdpGateway((req, _) => [LoopbackUdpGateway.PcpGrant(req, 120)]);
        await using var client = new PcpClient(gw.Endpoint, IPAddress.Loopback, Patient);
        await client.CreateAsync(Request, CancellationToken.None);
        await client.CreateAsync(Request, CancellationToken.None);
        await client.CreateAsync(Request with { PrivatePort = 7800 }, CancellationToken.None);
        // Every request for one mapping carries that mapping's nonce; another mapping has its own.
        var nonces = gw.Requests.GroupBy(r => r[40] << 8 | r[41])
            .ToDictionary(g => g.Key, g => g.Select(r => Convert.ToHexStringLower(r.AsSpan(24, 12))).Distinct().ToArray());
        Assert.True(gw.Requests.Count(r => (r[40] << 8 | r[41]) == 7700) >= 2);
        Assert.NotEqual(Assert.Single(nonces[7700]), Assert.Single(nonces[7800]));
    }

    private static byte[][] Distinct(LoopbackUdpGateway gw) =>
        gw.Requests.DistinctBy(Convert.ToHexStringLower).ToArray();
}
