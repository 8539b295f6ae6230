using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace P2PNode.Nat.Upnp;

/// <summary>
/// A UPnP Internet Gateway Device client: SOAP actions on the gateway's WANIPConnection (:1 or :2) or
/// WANPPPConnection:1 service. The mapping always points at our own LAN address (NewInternalClient), which
/// gateways in secure mode require.
/// </summary>
public sealed class UpnpIgdClient : IPortMapper
{
    private readonly HttpClient _http;

    /// <param name="service">The gateway's port mapping service (from <see cref="IgdDescription.Parse"/>).</param>
    /// <param name="internalClient">Our LAN address; null: the address the kernel uses to reach the control URL's host.</param>
    /// <param name="httpTimeout">Bound on each HTTP request.</param>
    public UpnpIgdClient(IgdService service, IPAddress? internalClient = null, TimeSpan? httpTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        Service = service;
        if (internalClient is null && !IPAddress.TryParse(service.ControlUrl.Host, out _))
            throw new ArgumentException($"control URL host '{service.ControlUrl.Host}' is not an IP address; pass internalClient", nameof(service));
        InternalClient = internalClient ?? LocalAddressFor(IPAddress.Parse(service.ControlUrl.Host));
        _http = CreateHttpClient(httpTimeout ?? TimeSpan.FromSeconds(5));
    }

    public string Protocol => SsdpSearch.Protocol;

    public IgdService Service { get; }

    public IPAddress InternalClient { get; }

    /// <summary>
    /// SSDP search from <paramref name="localAddress"/> (null: our address toward the multicast group), fetch of
    /// the description, choice of the service. <paramref name="onlyFrom"/> restricts which device may answer.
    /// </summary>
    public static async Task<UpnpIgdClient> DiscoverAsync(IPAddress? localAddress, IPAddress? onlyFrom, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var local = localAddress ?? LocalAddressFor(onlyFrom ?? SsdpSearch.MulticastEndpoint.Address);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var found = await SsdpSearch.SearchAsync(local, onlyFrom, timeout, cancellationToken).ConfigureAwait(false);
        using var http = CreateHttpClient(timeout);
        var xml = await GetStringAsync(http, found.Location, deadline.Token, cancellationToken).ConfigureAwait(false);
        return new UpnpIgdClient(IgdDescription.Parse(xml, found.Location), local, timeout);
    }

    public async Task<IPAddress> GetExternalAddressAsync(CancellationToken cancellationToken)
    {
        var result = await InvokeAsync("GetExternalIPAddress", [], cancellationToken).ConfigureAwait(false);
        var text = Required(result, "GetExternalIPAddress", "NewExternalIPAddress");
        if (text.Length == 0)
            throw new NatException(Protocol, NatErrorKind.NetworkFailure, "gateway reports no external address (its WAN side is down)");
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
            throw new NatMalformedReplyException(Protocol, $"NewExternalIPAddress '{text}' is not an IPv4 address");
        return address;
    }

    public async Task<PortMapping> CreateAsync(PortMapping request, CancellationToken cancellationToken)
    {
        request.EnsureValidRequest();
        // IGD needs a concrete external port; "any" becomes "the same as the private one".
        var publicPort = request.PublicPort != 0 ? request.PublicPort : request.PrivatePort;
        var lease = request.LifetimeSeconds;
        try
        {
            await AddAsync("AddPortMapping", request, publicPort, lease, cancellationToken).ConfigureAwait(false);
        }
        catch (NatGatewayException e) when (e.Kind == NatErrorKind.OnlyPermanentLeasesSupported)
        {
            // Old IGD:1 routers: a permanent mapping; the keeper still re-adds it at half the asked lifetime.
            await AddAsync("AddPortMapping", request, publicPort, 0, cancellationToken).ConfigureAwait(false);
        }
        catch (NatGatewayException e) when (e.Kind == NatErrorKind.ConflictInMappingEntry && Service.Version >= 2)
        {
            // Someone else holds the port: IGD:2 lets the gateway pick a free one.
            var any = await AddAsync("AddAnyPortMapping", request, publicPort, lease, cancellationToken).ConfigureAwait(false);
            publicPort = ParsePort(Required(any, "AddAnyPortMapping", "NewReservedPort"), "NewReservedPort");
        }
        var address = await GetExternalAddressAsync(cancellationToken).ConfigureAwait(false);
        return request with { PublicPort = publicPort, Expires = DateTimeOffset.UtcNow + request.Lifetime, PublicAddress = address };
    }

    public async Task DeleteAsync(PortMapping mapping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (mapping.PublicPort is < 1 or > 65535) throw new ArgumentException($"public port must be 1-65535, got {mapping.PublicPort}", nameof(mapping));
        try
        {
            await InvokeAsync("DeletePortMapping",
            [
                new("NewRemoteHost", ""),
                new("NewExternalPort", Invariant(mapping.PublicPort)),
                new("NewProtocol", ProtocolName(mapping.Protocol)),
            ], cancellationToken).ConfigureAwait(false);
        }
        catch (NatGatewayException e) when (e.Kind == NatErrorKind.NoSuchEntry)
        {
            // Already gone (expired or deleted): the state the caller wants. NAT-PMP and PCP behave the same.
        }
    }

    /// <summary>GetSpecificPortMappingEntry: where <paramref name="publicPort"/> forwards to, or null if it is not mapped.</summary>
    public async Task<UpnpPortMappingEntry?> GetSpecificEntryAsync(NatProtocol protocol, int publicPort, CancellationToken cancellationToken)
    {
        if (publicPort is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(publicPort), publicPort, "must be 1-65535");
        IReadOnlyDictionary<string, string> r;
        try
        {
            r = await InvokeAsync("GetSpecificPortMappingEntry",
            [
                new("NewRemoteHost", ""),
                new("NewExternalPort", Invariant(publicPort)),
                new("NewProtocol", ProtocolName(protocol)),
            ], cancellationToken).ConfigureAwait(false);
        }
        catch (NatGatewayException e) when (e.Kind == NatErrorKind.NoSuchEntry)
        {
            return null;
        }
        const string action = "GetSpecificPortMappingEntry";
        var clientText = Required(r, action, "NewInternalClient");
        if (!IPAddress.TryParse(clientText, out var client)) throw new NatMalformedReplyException(Protocol, $"NewInternalClient '{clientText}' is not an IP address");
        var enabled = Required(r, action, "NewEnabled") switch
        {
            "1" or "true" => true,
            "0" or "false" => false,
            var v => throw new NatMalformedReplyException(Protocol, $"NewEnabled '{v}' is not a boolean"),
        };
        var leaseText = Required(r, action, "NewLeaseDuration");
        if (!uint.TryParse(leaseText, NumberStyles.None, CultureInfo.InvariantCulture, out var lease))
            throw new NatMalformedReplyException(Protocol, $"NewLeaseDuration '{leaseText}' is not a number of seconds");
        return new UpnpPortMappingEntry(protocol, publicPort, client, ParsePort(Required(r, action, "NewInternalPort"), "NewInternalPort"),
            enabled, r.GetValueOrDefault("NewPortMappingDescription", ""), TimeSpan.FromSeconds(lease));
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private Task<IReadOnlyDictionary<string, string>> AddAsync(string action, PortMapping request, int publicPort, uint lease, CancellationToken cancellationToken) =>
        InvokeAsync(action,
        [
            new("NewRemoteHost", ""),
            new("NewExternalPort", Invariant(publicPort)),
            new("NewProtocol", ProtocolName(request.Protocol)),
            new("NewInternalPort", Invariant(request.PrivatePort)),
            new("NewInternalClient", InternalClient.ToString()),
            new("NewEnabled", "1"),
            new("NewPortMappingDescription", request.Description),
            new("NewLeaseDuration", lease.ToString(CultureInfo.InvariantCulture)),
        ], cancellationToken);

    private async Task<IReadOnlyDictionary<string, string>> InvokeAsync(string action, KeyValuePair<string, string>[] args, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, Service.ControlUrl)
        {
            Content = new StringContent(UpnpSoap.BuildRequest(Service.ServiceType, action, args), Encoding.UTF8, "text/xml"),
        };
        message.Headers.TryAddWithoutValidation("SOAPAction", UpnpSoap.SoapActionHeader(Service.ServiceType, action));
        string body;
        HttpStatusCode status;
        try
        {
            using var response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NatTimeoutException(Protocol, $"{action} to {Service.ControlUrl}", 1, _http.Timeout);
        }
        catch (HttpRequestException e)
        {
            throw new NatException(Protocol, NatErrorKind.Unreachable, $"{action} to {Service.ControlUrl}: {e.Message}", e);
        }
        if (status == HttpStatusCode.OK) return UpnpSoap.ParseResponse(body, Service.ServiceType, action);
        if (status == HttpStatusCode.InternalServerError) throw UpnpSoap.ParseFault(body, action);
        throw new NatException(Protocol, NatErrorKind.HttpError, $"{action} to {Service.ControlUrl}: HTTP {(int)status} {status}");
    }

    private static async Task<string> GetStringAsync(HttpClient http, Uri url, CancellationToken deadline, CancellationToken caller)
    {
        try
        {
            using var response = await http.GetAsync(url, deadline).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
                throw new NatException(SsdpSearch.Protocol, NatErrorKind.HttpError, $"GET {url}: HTTP {(int)response.StatusCode} {response.StatusCode}");
            return await response.Content.ReadAsStringAsync(deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            throw new NatTimeoutException(SsdpSearch.Protocol, $"GET {url}", 1, http.Timeout);
        }
        catch (HttpRequestException e)
        {
            throw new NatException(SsdpSearch.Protocol, NatErrorKind.Unreachable, $"GET {url}: {e.Message}", e);
        }
    }

    private static HttpClient CreateHttpClient(TimeSpan timeout) =>
        // No proxy: the gateway is on our LAN, and a proxy configured for the internet would not reach it.
        new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = timeout, AllowAutoRedirect = false })
        {
            Timeout = timeout,
            MaxResponseContentBufferSize = XmlText.MaxChars * 4L,
        };

    /// <summary>The local address the kernel would use to reach <paramref name="remote"/> (no packet is sent).</summary>
    internal static IPAddress LocalAddressFor(IPAddress remote)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(remote, 9)); // UDP connect only picks a route and a source address
            return ((IPEndPoint)probe.LocalEndPoint!).Address;
        }
        catch (SocketException e)
        {
            throw new NatException(SsdpSearch.Protocol, NatErrorKind.Unreachable, $"no route to {remote}: {e.Message}", e);
        }
    }

    private static string Required(IReadOnlyDictionary<string, string> args, string action, string name) =>
        args.TryGetValue(name, out var v) ? v.Trim() : throw new NatMalformedReplyException(SsdpSearch.Protocol, $"{action} response has no {name}");

    private int ParsePort(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
            ? p
            : throw new NatMalformedReplyException(Protocol, $"{name} '{text}' is not a port number");

    private static string ProtocolName(NatProtocol p) => p switch
    {
        NatProtocol.Tcp => "TCP",
        NatProtocol.Udp => "UDP",
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, "not TCP or UDP"),
    };

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
