using System.Net;
using P2PNode.Transport;

namespace P2PNode.Core.Tests.Transport;

public sealed class InboundLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1"), B = IPAddress.Parse("10.0.0.2");

    [Fact]
    public void PerAddressLimitStopsOneHostButNotOthers()
    {
        var limiter = new InboundLimiter(maxTotal: 10, maxPerAddress: 2);
        Assert.Null(limiter.TryAcquire(A));
        Assert.Null(limiter.TryAcquire(A));
        Assert.Equal("10.0.0.1 already has 2 connections (limit 2)", limiter.TryAcquire(A));
        Assert.Null(limiter.TryAcquire(B));
        limiter.Release(A);
        Assert.Null(limiter.TryAcquire(A));
        Assert.Equal(3, limiter.Total);
    }

    [Fact]
    public void TotalLimitAppliesAcrossAddressesAndFreesOnRelease()
    {
        var limiter = new InboundLimiter(maxTotal: 2, maxPerAddress: 2);
        Assert.Null(limiter.TryAcquire(A));
        Assert.Null(limiter.TryAcquire(B));
        Assert.Equal("inbound limit of 2 connections reached", limiter.TryAcquire(IPAddress.Loopback));
        limiter.Release(B);
        Assert.Null(limiter.TryAcquire(IPAddress.Loopback));
    }
}
