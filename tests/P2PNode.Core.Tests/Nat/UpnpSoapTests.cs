using System.Xml.Linq;
using P2PNode.Nat;
using P2PNode.Nat.Upnp;

namespace P2PNode.Core.Tests.Nat;

public sealed class UpnpSoapTests
{
    private const string V2 = "urn:schemas-upnp-org:service:WANIPConnection:2";

    [Fact]
    public void RequestIsASoapEnvelopeWithEscapedArgumentsInOrder()
    {
        var xml = UpnpSoap.BuildRequest(V2, "AddPortMapping",
        [
            new("NewExternalPort", "7700"),
            new("NewPortMappingDescription", "p2pnode <&> \"node\""),
        ]);
        var doc = XDocument.Parse(xml);
        XNamespace s = "http://schemas.xmlsoap.org/soap/envelope/";
        var action = doc.Root!.Element(s + "Body")!.Elements().Single();
        Assert.Equal(XName.Get("AddPortMapping", V2), action.Name);
        Assert.Equal(["NewExternalPort", "NewPortMappingDescription"], action.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("p2pnode <&> \"node\"", action.Element("NewPortMappingDescription")!.Value);
        Assert.Equal("\"urn:schemas-upnp-org:service:WANIPConnection:2#AddPortMapping\"", UpnpSoap.SoapActionHeader(V2, "AddPortMapping"));
    }

    [Fact]
    public void MiniupnpdResponseYieldsItsOutArguments()
    {
        var args = UpnpSoap.ParseResponse(UpnpSamples.GetExternalIPAddressResponse, V2, "GetExternalIPAddress");
        Assert.Equal("192.0.2.1", Assert.Single(args).Value);
        Assert.Equal("NewExternalIPAddress", args.Keys.Single());
    }

    [Fact]
    public void MiniupnpdFaultBecomesNoSuchEntry()
    {
        var e = Assert.IsType<NatGatewayException>(UpnpSoap.ParseFault(UpnpSamples.NoSuchEntryFault, "GetSpecificPortMappingEntry"));
        Assert.Equal(714, e.Code);
        Assert.Equal(NatErrorKind.NoSuchEntry, e.Kind);
        Assert.Contains("NoSuchEntryInArray", e.Message);
    }

    [Theory]
    [InlineData(401, NatErrorKind.InvalidAction)]
    [InlineData(402, NatErrorKind.InvalidArgs)]
    [InlineData(501, NatErrorKind.ActionFailed)]
    [InlineData(606, NatErrorKind.NotAuthorized)]
    [InlineData(716, NatErrorKind.WildcardNotPermitted)]
    [InlineData(718, NatErrorKind.ConflictInMappingEntry)]
    [InlineData(724, NatErrorKind.SamePortValuesRequired)]
    [InlineData(725, NatErrorKind.OnlyPermanentLeasesSupported)]
    [InlineData(728, NatErrorKind.NoPortMapsAvailable)]
    [InlineData(729, NatErrorKind.ConflictWithOtherMechanisms)]
    [InlineData(899, NatErrorKind.UnknownGatewayError)]
    public void ErrorCodesMapToKinds(int code, NatErrorKind kind)
    {
        var fault = UpnpSamples.NoSuchEntryFault.Replace("<errorCode>714<", $"<errorCode>{code}<");
        var e = Assert.IsType<NatGatewayException>(UpnpSoap.ParseFault(fault, "AddPortMapping"));
        Assert.Equal(kind, e.Kind);
        Assert.Equal(code, e.Code);
    }

    [Theory]
    [InlineData("<html>oops</html>", "expected a SOAP 1.1 <Envelope>")]
    [InlineData("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>", "has no <Body>")]
    [InlineData("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>", "HTTP 500 without a SOAP Fault")]
    [InlineData("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><faultstring>boom</faultstring></s:Fault></s:Body></s:Envelope>", "without detail/UPnPError (faultstring 'boom')")]
    [InlineData("not xml", "not well-formed XML")]
    public void MalformedFaultsAreMalformedReplies(string xml, string reason)
    {
        var e = Assert.IsType<NatMalformedReplyException>(UpnpSoap.ParseFault(xml, "AddPortMapping"));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void NonNumericErrorCodeIsMalformed()
    {
        var fault = UpnpSamples.NoSuchEntryFault.Replace("<errorCode>714<", "<errorCode>seven<");
        Assert.Contains("'seven' is not an integer", Assert.IsType<NatMalformedReplyException>(UpnpSoap.ParseFault(fault, "X")).Message);
    }

    [Fact]
    public void ResponseForAnotherActionOrServiceIsMalformed()
    {
        Assert.Contains("expected <DeletePortMappingResponse>", Assert.Throws<NatMalformedReplyException>(() =>
            UpnpSoap.ParseResponse(UpnpSamples.GetExternalIPAddressResponse, V2, "DeletePortMapping")).Message);
        Assert.Contains("expected 'urn:schemas-upnp-org:service:WANIPConnection:1'", Assert.Throws<NatMalformedReplyException>(() =>
            UpnpSoap.ParseResponse(UpnpSamples.GetExternalIPAddressResponse, "urn:schemas-upnp-org:service:WANIPConnection:1", "GetExternalIPAddress")).Message);
    }

    [Fact]
    public void DuplicateOutArgumentIsMalformed()
    {
        var xml = UpnpSamples.GetExternalIPAddressResponse.Replace("</NewExternalIPAddress>", "</NewExternalIPAddress><NewExternalIPAddress>1.2.3.4</NewExternalIPAddress>");
        Assert.Contains("appears twice", Assert.Throws<NatMalformedReplyException>(() => UpnpSoap.ParseResponse(xml, V2, "GetExternalIPAddress")).Message);
    }
}
