using System.Xml.Linq;

namespace P2PNode.Nat.Upnp;

/// <summary>
/// Reads a UPnP root device description and finds the WAN connection service that maps ports. Devices nest
/// (InternetGatewayDevice > WANDevice > WANConnectionDevice), so every device at any depth is searched.
/// </summary>
public static class IgdDescription
{
    private static readonly XNamespace Device = "urn:schemas-upnp-org:device-1-0";

    /// <summary>Accepted services, best first: IGD:2's WANIPConnection:2 adds AddAnyPortMapping.</summary>
    public static readonly string[] ServiceTypes =
    [
        "urn:schemas-upnp-org:service:WANIPConnection:2",
        "urn:schemas-upnp-org:service:WANIPConnection:1",
        "urn:schemas-upnp-org:service:WANPPPConnection:1",
    ];

    /// <summary>
    /// Parses <paramref name="xml"/> fetched from <paramref name="location"/> and returns the best port mapping
    /// service with its control URL made absolute (against URLBase if present, else the location). The control
    /// URL must stay on the location's host and port: SOAP requests go only to the device that answered.
    /// </summary>
    public static IgdService Parse(string xml, Uri location)
    {
        var doc = XmlText.Parse(xml, "device description");
        var root = doc.Root;
        if (root is null || root.Name != Device + "root")
            throw new NatMalformedReplyException(SsdpSearch.Protocol, $"device description root is <{root?.Name.LocalName}> in '{root?.Name.NamespaceName}', expected <root> in '{Device.NamespaceName}'");
        if (root.Element(Device + "device") is null)
            throw new NatMalformedReplyException(SsdpSearch.Protocol, "device description has no <device>");
        var baseUri = location;
        var urlBase = root.Element(Device + "URLBase")?.Value.Trim();
        if (!string.IsNullOrEmpty(urlBase))
        {
            if (!Uri.TryCreate(urlBase, UriKind.Absolute, out var b) || b.Scheme != Uri.UriSchemeHttp)
                throw new NatMalformedReplyException(SsdpSearch.Protocol, $"URLBase '{urlBase}' is not an absolute http URL");
            baseUri = b;
        }
        var services = root.Descendants(Device + "service")
            .Select(s => (Type: s.Element(Device + "serviceType")?.Value.Trim(), Control: s.Element(Device + "controlURL")?.Value.Trim()))
            .ToList();
        foreach (var wanted in ServiceTypes)
        {
            var match = services.FirstOrDefault(s => s.Type == wanted);
            if (match.Type is null) continue;
            if (string.IsNullOrEmpty(match.Control))
                throw new NatMalformedReplyException(SsdpSearch.Protocol, $"service {wanted} has no controlURL");
            if (!Uri.TryCreate(baseUri, match.Control, out var control) || control.Scheme != Uri.UriSchemeHttp)
                throw new NatMalformedReplyException(SsdpSearch.Protocol, $"controlURL '{match.Control}' of {wanted} is not an http URL");
            if (control.Host != location.Host || control.Port != location.Port)
                throw new NatMalformedReplyException(SsdpSearch.Protocol, $"controlURL {control} is not on the device's own address {location.Authority}");
            return new IgdService(wanted, control);
        }
        var found = services.Count == 0 ? "none" : string.Join(", ", services.Select(s => s.Type));
        throw new NatException(SsdpSearch.Protocol, NatErrorKind.NoMappingService,
            $"device offers no WANIPConnection:1/:2 or WANPPPConnection:1 service (services: {found})");
    }
}
