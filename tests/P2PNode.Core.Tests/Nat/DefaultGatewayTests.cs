using System.Net;
using P2PNode.Nat;

namespace P2PNode.Core.Tests.Nat;

public sealed class DefaultGatewayTests
{
    private const string Header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

    [Fact]
    public void PicksTheUpDefaultRouteWithTheLowestMetric()
    {
        var table = Header +
            "eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" + // 192.168.0.0/24, on-link
            "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n" + // default via 192.168.1.1, metric 600
            "eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n" + // default via 10.0.0.1, metric 100
            "eth1\t00000000\t0200000A\t0002\t0\t0\t1\t00000000\t0\t0\t0\n"; // not up
        Assert.Equal(IPAddress.Parse("10.0.0.1"), DefaultGateway.Parse(table));
    }

    [Fact]
    public void TheFixturesLanNamespaceRouteReadsAsItsGateway()
    {
        // /proc/net/route inside the gateway fixture's lan namespace.
        var table = Header +
            "lan-eth0\t00000000\t0100630A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
            "lan-eth0\t0000630A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" +
            "lan-eth0\t000000EF\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n";
        Assert.Equal(IPAddress.Parse("10.99.0.1"), DefaultGateway.Parse(table));
    }

    [Fact]
    public void NoDefaultRouteIsNull()
    {
        Assert.Null(DefaultGateway.Parse(Header + "lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n"));
        Assert.Null(DefaultGateway.Parse(Header));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Iface\tDest\n", "no 'Destination' column")]
    [InlineData(Header + "eth0\t00000000\tzz00000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n", "'zz00000A' is not a hex number")]
    [InlineData(Header + "eth0\t00000000\n", "has 2 fields")]
    public void MalformedTablesAreRejectedWithTheReason(string text, string reason)
    {
        Assert.Contains(reason, Assert.Throws<FormatException>(() => DefaultGateway.Parse(text)).Message);
    }

    [Fact]
    public void ThisMachinesRouteTableParses()
    {
        // Whatever the machine's routes are, the real file must parse (null is fine: no default route).
        if (File.Exists("/proc/net/route")) _ = DefaultGateway.Parse(File.ReadAllText("/proc/net/route"));
        Assert.Null(DefaultGateway.Find("/nonexistent/route"));
    }
}
