using System.Net;
using System.Text;
using P2PNode.Nat.Upnp;

namespace P2PNode.Core.Tests.Nat;

public sealed class SsdpSearchTests
{
    private static readonly IPAddress Gateway = IPAddress.Parse("10.99.0.1");

    private static SsdpResponse Parse(string text, IPAddress? from = null) => SsdpSearch.Parse(Encoding.UTF8.GetBytes(text), from ?? Gateway);

    [Fact]
    public void MiniupnpdAnswerParses()
    {
        var r = Parse(UpnpSamples.SsdpResponse);
        Assert.Equal(new Uri("http://10.99.0.1:5000/rootDesc.xml"), r.Location);
        Assert.Equal("urn:schemas-upnp-org:device:InternetGatewayDevice:1", r.SearchTarget);
        Assert.Equal("Debian/6.18.44-fc-v782 UPnP/1.1 MiniUPnPd/2.3.9", r.Server);
        Assert.Equal(Gateway, r.From);
    }

    [Fact]
    public void HeaderNamesAreCaseInsensitive()
    {
        var r = Parse("HTTP/1.1 200 OK\r\nst: x\r\nLocation: http://10.99.0.1:1900/d.xml\r\n\r\n");
        Assert.Equal("x", r.SearchTarget);
    }

    [Fact]
    public void RequestIsAnSsdpDiscoverForTheTarget()
    {
        var text = SsdpSearch.BuildRequest("urn:schemas-upnp-org:device:InternetGatewayDevice:2", 2);
        Assert.StartsWith("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\n", text);
        Assert.Contains("\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\n", text);
        Assert.EndsWith("\r\n\r\n", text);
    }

    [Theory]
    [InlineData("NOTIFY * HTTP/1.1\r\n\r\n", "not an HTTP response")]
    [InlineData("HTTP/1.1 404 Not Found\r\n\r\n", "status is not 200")]
    [InlineData("HTTP/1.1 200 OK\r\nLOCATION: http://10.99.0.1/d.xml\r\n\r\n", "no ST header")]
    [InlineData("HTTP/1.1 200 OK\r\nST: x\r\n\r\n", "no LOCATION header")]
    [InlineData("HTTP/1.1 200 OK\r\nST: x\r\nLOCATION: /rootDesc.xml\r\n\r\n", "not an absolute http URL")]
    [InlineData("HTTP/1.1 200 OK\r\nST: x\r\nLOCATION: https://10.99.0.1/d.xml\r\n\r\n", "not an absolute http URL")]
    [InlineData("HTTP/1.1 200 OK\r\nST: x\r\nbroken line\r\n\r\n", "header line without a name")]
    public void MalformedAnswersAreRejectedWithTheReason(string text, string reason)
    {
        Assert.Contains(reason, Assert.Throws<FormatException>(() => Parse(text)).Message);
    }

    [Fact]
    public void LocationOnAnotherHostThanTheResponderIsRefused()
    {
        // Otherwise any datagram could send us to fetch (and then POST to) an arbitrary address.
        var e = Assert.Throws<FormatException>(() => Parse(UpnpSamples.SsdpResponse, IPAddress.Parse("10.99.0.7")));
        Assert.Contains("is not the responder 10.99.0.7", e.Message);
        Assert.Throws<FormatException>(() => Parse("HTTP/1.1 200 OK\r\nST: x\r\nLOCATION: http://gateway.example/d.xml\r\n\r\n"));
    }
}
