using P2PNode.Nat;
using P2PNode.Nat.Upnp;

namespace P2PNode.Core.Tests.Nat;

public sealed class IgdDescriptionTests
{
    private static readonly Uri Location = new("http://10.99.0.1:5000/rootDesc.xml");

    private static string Root(string services, string urlBase = "") => $"""
        <?xml version="1.0"?>
        <root xmlns="urn:schemas-upnp-org:device-1-0">{urlBase}<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
        <deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><deviceList><device>
        <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><serviceList>{services}</serviceList>
        </device></deviceList></device></deviceList></device></root>
        """;

    private static string Service(string type, string control) =>
        $"<service><serviceType>{type}</serviceType><serviceId>x</serviceId><controlURL>{control}</controlURL></service>";

    [Fact]
    public void MiniupnpdIgd2DescriptionYieldsWanIpConnection2()
    {
        var service = IgdDescription.Parse(UpnpSamples.RootDescription, Location);
        Assert.Equal("urn:schemas-upnp-org:service:WANIPConnection:2", service.ServiceType);
        Assert.Equal(new Uri("http://10.99.0.1:5000/ctl/IPConn"), service.ControlUrl);
        Assert.Equal(2, service.Version);
    }

    [Fact]
    public void WanIpConnectionIsPreferredOverPpp()
    {
        var xml = Root(Service("urn:schemas-upnp-org:service:WANPPPConnection:1", "/ppp") + Service("urn:schemas-upnp-org:service:WANIPConnection:1", "/ip"));
        var service = IgdDescription.Parse(xml, Location);
        Assert.Equal("urn:schemas-upnp-org:service:WANIPConnection:1", service.ServiceType);
        Assert.Equal(1, service.Version);
        Assert.Equal(new Uri("http://10.99.0.1:5000/ip"), service.ControlUrl);
    }

    [Fact]
    public void PppOnlyGatewayIsAccepted()
    {
        var service = IgdDescription.Parse(Root(Service("urn:schemas-upnp-org:service:WANPPPConnection:1", "/ctl/PPP")), Location);
        Assert.Equal("urn:schemas-upnp-org:service:WANPPPConnection:1", service.ServiceType);
    }

    [Fact]
    public void UrlBaseOnTheSameDeviceIsHonoured()
    {
        var xml = Root(Service("urn:schemas-upnp-org:service:WANIPConnection:1", "ctl/ip"), "<URLBase>http://10.99.0.1:5000/upnp/</URLBase>");
        Assert.Equal(new Uri("http://10.99.0.1:5000/upnp/ctl/ip"), IgdDescription.Parse(xml, Location).ControlUrl);
    }

    [Fact]
    public void ControlUrlOnAnotherHostIsRefused()
    {
        var xml = Root(Service("urn:schemas-upnp-org:service:WANIPConnection:1", "http://192.0.2.99:80/ctl"));
        var e = Assert.Throws<NatMalformedReplyException>(() => IgdDescription.Parse(xml, Location));
        Assert.Contains("not on the device's own address", e.Message);
    }

    [Fact]
    public void DeviceWithoutMappingServiceIsNamedAsSuch()
    {
        var e = Assert.Throws<NatException>(() => IgdDescription.Parse(Root(Service("urn:schemas-upnp-org:service:Layer3Forwarding:1", "/l3f")), Location));
        Assert.Equal(NatErrorKind.NoMappingService, e.Kind);
        Assert.Contains("Layer3Forwarding:1", e.Message);
    }

    [Theory]
    [InlineData("<root", "not well-formed XML")]
    [InlineData("<root xmlns=\"urn:other\"><device/></root>", "expected <root>")]
    [InlineData("<root xmlns=\"urn:schemas-upnp-org:device-1-0\"></root>", "has no <device>")]
    [InlineData("<!DOCTYPE r [<!ENTITY a \"aaaa\">]><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device/></root>", "not well-formed XML")]
    public void MalformedDescriptionsAreRejectedWithTheReason(string xml, string reason)
    {
        Assert.Contains(reason, Assert.Throws<NatMalformedReplyException>(() => IgdDescription.Parse(xml, Location)).Message);
    }

    [Fact]
    public void ServiceWithoutControlUrlIsMalformed()
    {
        var xml = Root("<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType></service>");
        Assert.Contains("has no controlURL", Assert.Throws<NatMalformedReplyException>(() => IgdDescription.Parse(xml, Location)).Message);
    }

    [Fact]
    public void OversizedDescriptionIsRefusedBeforeParsing()
    {
        var xml = Root(new string(' ', 300_000));
        Assert.Contains("more than", Assert.Throws<NatMalformedReplyException>(() => IgdDescription.Parse(xml, Location)).Message);
    }
}
