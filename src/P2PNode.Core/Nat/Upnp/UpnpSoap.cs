using System.Globalization;
using System.Security;
using System.Xml.Linq;

namespace P2PNode.Nat.Upnp;

/// <summary>
/// SOAP 1.1 envelopes of UPnP control (UPnP Device Architecture 1.1, section 3.2): building a request and
/// reading a response or a fault. Pure functions over strings.
/// </summary>
public static class UpnpSoap
{
    private static readonly XNamespace Envelope = "http://schemas.xmlsoap.org/soap/envelope/";

    /// <summary>The request body for <paramref name="action"/> of <paramref name="serviceType"/> with its in-arguments, in order.</summary>
    public static string BuildRequest(string serviceType, string action, IEnumerable<KeyValuePair<string, string>> arguments)
    {
        var args = string.Concat(arguments.Select(a => $"<{a.Key}>{SecurityElement.Escape(a.Value)}</{a.Key}>"));
        return "<?xml version=\"1.0\"?>\r\n" +
               "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">" +
               $"<s:Body><u:{action} xmlns:u=\"{SecurityElement.Escape(serviceType)}\">{args}</u:{action}></s:Body></s:Envelope>";
    }

    /// <summary>The SOAPACTION header value: the quoted "serviceType#action".</summary>
    public static string SoapActionHeader(string serviceType, string action) => $"\"{serviceType}#{action}\"";

    /// <summary>
    /// Reads the out-arguments of a successful response (HTTP 200): the children of
    /// &lt;Body&gt;&lt;{action}Response xmlns="{serviceType}"&gt;.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseResponse(string xml, string serviceType, string action)
    {
        var body = Body(xml, action);
        var response = body.Elements().FirstOrDefault();
        if (response is null || response.Name.LocalName != action + "Response")
            throw Malformed($"{action}: body holds <{response?.Name.LocalName}>, expected <{action}Response>");
        if (response.Name.NamespaceName != serviceType)
            throw Malformed($"{action}: response is in namespace '{response.Name.NamespaceName}', expected '{serviceType}'");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arg in response.Elements())
        {
            if (!result.TryAdd(arg.Name.LocalName, arg.Value))
                throw Malformed($"{action}: out-argument {arg.Name.LocalName} appears twice");
        }
        return result;
    }

    /// <summary>
    /// Reads a SOAP fault (HTTP 500) and returns the exception to throw: <see cref="NatGatewayException"/> with
    /// the UPnP errorCode and errorDescription, or <see cref="NatMalformedReplyException"/> if the body is no fault.
    /// </summary>
    public static NatException ParseFault(string xml, string action)
    {
        XElement body;
        try
        {
            body = Body(xml, action);
        }
        catch (NatMalformedReplyException e)
        {
            return e;
        }
        var fault = body.Element(Envelope + "Fault");
        if (fault is null) return Malformed($"{action}: HTTP 500 without a SOAP Fault");
        // Gateways differ in namespacing detail and UPnPError, so they are found by local name.
        var error = fault.Descendants().FirstOrDefault(e => e.Name.LocalName == "UPnPError");
        if (error is null)
            return Malformed($"{action}: SOAP Fault without detail/UPnPError (faultstring '{fault.Element("faultstring")?.Value}')");
        var codeText = Child(error, "errorCode")?.Value.Trim();
        if (!int.TryParse(codeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
            return Malformed($"{action}: UPnPError errorCode '{codeText}' is not an integer");
        var description = Child(error, "errorDescription")?.Value.Trim() ?? "";
        var (kind, name) = ErrorCode(code);
        return new NatGatewayException(SsdpSearch.Protocol, kind, code,
            $"{action} failed: UPnP error {code} ({name}){(description.Length > 0 ? ": " + description : "")}");
    }

    /// <summary>The meaning of a UPnP control error code (UDA 1.1 section 3.2.2 and WANIPConnection:2 section 2.4.16).</summary>
    public static (NatErrorKind Kind, string Name) ErrorCode(int code) => code switch
    {
        401 => (NatErrorKind.InvalidAction, "Invalid Action"),
        402 => (NatErrorKind.InvalidArgs, "Invalid Args"),
        501 => (NatErrorKind.ActionFailed, "Action Failed"),
        600 or 601 or 605 => (NatErrorKind.InvalidArgs, "Argument Value Invalid"),
        606 => (NatErrorKind.NotAuthorized, "Action not authorized"),
        713 => (NatErrorKind.NoSuchEntry, "SpecifiedArrayIndexInvalid"),
        714 => (NatErrorKind.NoSuchEntry, "NoSuchEntryInArray"),
        715 or 716 or 726 or 727 or 732 => (NatErrorKind.WildcardNotPermitted, "wildcard not permitted"),
        718 => (NatErrorKind.ConflictInMappingEntry, "ConflictInMappingEntry"),
        724 => (NatErrorKind.SamePortValuesRequired, "SamePortValuesRequired"),
        725 => (NatErrorKind.OnlyPermanentLeasesSupported, "OnlyPermanentLeasesSupported"),
        728 => (NatErrorKind.NoPortMapsAvailable, "NoPortMapsAvailable"),
        729 => (NatErrorKind.ConflictWithOtherMechanisms, "ConflictWithOtherMechanisms"),
        _ => (NatErrorKind.UnknownGatewayError, "unknown error code"),
    };

    private static XElement? Child(XElement parent, string localName) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static XElement Body(string xml, string action)
    {
        var doc = XmlText.Parse(xml, action + " response");
        if (doc.Root?.Name != Envelope + "Envelope")
            throw Malformed($"{action}: root is <{doc.Root?.Name.LocalName}>, expected a SOAP 1.1 <Envelope>");
        return doc.Root.Element(Envelope + "Body") ?? throw Malformed($"{action}: SOAP envelope has no <Body>");
    }

    private static NatMalformedReplyException Malformed(string message) => new(SsdpSearch.Protocol, message);
}
