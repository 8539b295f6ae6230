using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using P2PNode.Nat;
using P2PNode.Nat.Upnp;

namespace P2PNode.Core.Tests.Nat;

/// <summary>The SOAP client against a scripted HTTP control point on loopback (the happy path runs against miniupnpd in the integration tests).</summary>
public sealed class UpnpIgdClientTests : IDisposable
{
    private const string V1 = "urn:schemas-upnp-org:service:WANIPConnection:1";
    private const string V2 = "urn:schemas-upnp-org:service:WANIPConnection:2";
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Action, XElement Args)> _calls = new();
    private Func<string, XElement, (int Status, string Body)> _respond = (_, _) => (404, "");
    private readonly Uri _control;

    public UpnpIgdClientTests()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        _control = new Uri($"http://127.0.0.1:{port}/ctl/IPConn");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            var soapAction = ctx.Request.Headers["SOAPAction"] ?? "";
            var action = soapAction.Trim('"').Split('#').Last();
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = XDocument.Parse(await reader.ReadToEndAsync());
            var args = body.Descendants().First(e => e.Name.LocalName == action);
            _calls.Enqueue((action, args));
            var (status, text) = _respond(action, args);
            ctx.Response.StatusCode = status;
            var bytes = Encoding.UTF8.GetBytes(text);
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
    }

    private static string Ok(string service, string action, string args = "") =>
        $"<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><u:{action}Response xmlns:u=\"{service}\">{args}</u:{action}Response></s:Body></s:Envelope>";

    private static string Fault(int code) => UpnpSamples.NoSuchEntryFault.Replace("<errorCode>714<", $"<errorCode>{code}<");

    private UpnpIgdClient Client(string service) => new(new IgdService(service, _control), IPAddress.Parse("10.99.0.2"));

    private static (int, string) ExternalOr(string service, string action, Func<(int, string)> other) =>
        action == "GetExternalIPAddress" ? (200, Ok(service, action, "<NewExternalIPAddress>192.0.2.1</NewExternalIPAddress>")) : other();

    [Fact]
    public async Task AddPortMappingSendsOurAddressAndTheLease()
    {
        _respond = (action, _) => ExternalOr(V2, action, () => (200, Ok(V2, action)));
        await using var client = Client(V2);
        var m = await client.CreateAsync(new PortMapping(NatProtocol.Udp, 7700, 0, TimeSpan.FromMinutes(10), "p2pnode <test>"), CancellationToken.None);
        Assert.Equal(7700, m.PublicPort); // "any" asks for the private port
        Assert.Equal(IPAddress.Parse("192.0.2.1"), m.PublicAddress);
        var add = _calls.First(c => c.Action == "AddPortMapping").Args;
        Assert.Equal("10.99.0.2", add.Element("NewInternalClient")!.Value);
        Assert.Equal("UDP", add.Element("NewProtocol")!.Value);
        Assert.Equal("600", add.Element("NewLeaseDuration")!.Value);
        Assert.Equal("p2pnode <test>", add.Element("NewPortMappingDescription")!.Value);
    }

    [Fact]
    public async Task PermanentOnlyGatewayGetsLeaseZero()
    {
        _respond = (action, args) => ExternalOr(V1, action, () =>
            args.Element("NewLeaseDuration")?.Value == "0" ? (200, Ok(V1, action)) : (500, Fault(725)));
        await using var client = Client(V1);
        var m = await client.CreateAsync(new PortMapping(NatProtocol.Tcp, 7700, 7700, TimeSpan.FromMinutes(10), "t"), CancellationToken.None);
        Assert.Equal(TimeSpan.FromMinutes(10), m.Lifetime);
        Assert.Equal(["600", "0"], _calls.Where(c => c.Action == "AddPortMapping").Select(c => c.Args.Element("NewLeaseDuration")!.Value));
    }

    [Fact]
    public async Task ConflictOnIgd2FallsBackToAddAnyPortMapping()
    {
        _respond = (action, _) => ExternalOr(V2, action, () => action == "AddAnyPortMapping"
            ? (200, Ok(V2, action, "<NewReservedPort>40001</NewReservedPort>"))
            : (500, Fault(718)));
        await using var client = Client(V2);
        var m = await client.CreateAsync(new PortMapping(NatProtocol.Tcp, 7700, 7700, TimeSpan.FromMinutes(10), "t"), CancellationToken.None);
        Assert.Equal(40001, m.PublicPort);
    }

    [Fact]
    public async Task ConflictOnIgd1IsThePreciseError()
    {
        _respond = (action, _) => ExternalOr(V1, action, () => (500, Fault(718)));
        await using var client = Client(V1);
        var e = await Assert.ThrowsAsync<NatGatewayException>(() => client.CreateAsync(new PortMapping(NatProtocol.Tcp, 7700, 7700, TimeSpan.FromMinutes(10), "t"), CancellationToken.None));
        Assert.Equal(NatErrorKind.ConflictInMappingEntry, e.Kind);
        Assert.Equal(718, e.Code);
    }

    [Fact]
    public async Task AbsentEntryIsNullAndDeletingItIsNotAnError()
    {
        _respond = (_, _) => (500, UpnpSamples.NoSuchEntryFault);
        await using var client = Client(V2);
        Assert.Null(await client.GetSpecificEntryAsync(NatProtocol.Tcp, 7700, CancellationToken.None));
        await client.DeleteAsync(new PortMapping(NatProtocol.Tcp, 7700, 7700, TimeSpan.FromMinutes(1), "t"), CancellationToken.None);
        Assert.Contains(_calls, c => c.Action == "DeletePortMapping" && c.Args.Element("NewExternalPort")!.Value == "7700");
    }

    [Fact]
    public async Task EntryIsRead()
    {
        _respond = (action, _) => (200, Ok(V2, action,
            "<NewInternalPort>7700</NewInternalPort><NewInternalClient>10.99.0.2</NewInternalClient><NewEnabled>1</NewEnabled>" +
            "<NewPortMappingDescription>p2pnode</NewPortMappingDescription><NewLeaseDuration>58</NewLeaseDuration>"));
        await using var client = Client(V2);
        var entry = await client.GetSpecificEntryAsync(NatProtocol.Tcp, 7701, CancellationToken.None);
        Assert.Equal(new UpnpPortMappingEntry(NatProtocol.Tcp, 7701, IPAddress.Parse("10.99.0.2"), 7700, true, "p2pnode", TimeSpan.FromSeconds(58)), entry);
    }

    [Theory]
    [InlineData("<NewExternalIPAddress>not-an-ip</NewExternalIPAddress>", "is not an IPv4 address")]
    [InlineData("", "has no NewExternalIPAddress")]
    public async Task BadExternalAddressIsMalformed(string args, string reason)
    {
        _respond = (action, _) => (200, Ok(V2, action, args));
        await using var client = Client(V2);
        var e = await Assert.ThrowsAsync<NatMalformedReplyException>(() => client.GetExternalAddressAsync(CancellationToken.None));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public async Task EmptyExternalAddressMeansTheWanIsDown()
    {
        _respond = (action, _) => (200, Ok(V2, action, "<NewExternalIPAddress></NewExternalIPAddress>"));
        await using var client = Client(V2);
        Assert.Equal(NatErrorKind.NetworkFailure, (await Assert.ThrowsAsync<NatException>(() => client.GetExternalAddressAsync(CancellationToken.None))).Kind);
    }

    [Fact]
    public async Task HttpErrorWithoutFaultIsHttpError()
    {
        _respond = (_, _) => (404, "not here");
        await using var client = Client(V2);
        var e = await Assert.ThrowsAsync<NatException>(() => client.GetExternalAddressAsync(CancellationToken.None));
        Assert.Equal(NatErrorKind.HttpError, e.Kind);
        Assert.Contains("HTTP 404", e.Message);
    }

    public void Dispose() => _listener.Close();
}
