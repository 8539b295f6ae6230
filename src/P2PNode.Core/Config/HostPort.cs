using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace P2PNode.Config;

/// <summary>Strict "host:port" parsing for listen and bootstrap addresses ("[v6]:port" for IPv6).</summary>
internal static class HostPort
{
    public static bool TryParse(string text, bool requireIpLiteral, bool allowPortZero, out string host, out int port, out string error)
    {
        host = "";
        port = 0;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0) { error = "missing ']' after an IPv6 address"; return false; }
            host = text[1..close];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            { error = $"'{host}' is not an IPv6 address"; return false; }
            if (close + 1 >= text.Length || text[close + 1] != ':') { error = "missing ':port' after ']'"; return false; }
            portText = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0) { error = "missing ':port' (expected host:port)"; return false; }
            host = text[..colon];
            portText = text[(colon + 1)..];
            if (host.Contains(':')) { error = "an IPv6 address goes in brackets, e.g. [::1]:7700"; return false; }
            if (host.Length == 0) { error = "missing host before ':'"; return false; }
            if (IsNumericDotted(host))
            {
                if (!IsIPv4(host)) { error = $"'{host}' is not an IPv4 address"; return false; }
            }
            else if (requireIpLiteral) { error = $"'{host}' is not an IP address (listen on 0.0.0.0, [::] or a local interface's address)"; return false; }
            else if (!IsDnsName(host)) { error = $"'{host}' is not a valid host name"; return false; }
        }
        if (portText.Length is 0 or > 5 || !portText.All(char.IsAsciiDigit)
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        { error = $"port '{portText}' is not a number between {(allowPortZero ? 0 : 1)} and 65535"; return false; }
        if (port == 0 && !allowPortZero) { error = "port 0 means 'any free port' and only makes sense for listen"; return false; }
        error = "";
        return true;
    }

    public static string Format(string host, int port) =>
        (host.Contains(':') ? $"[{host}]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

    private static bool IsNumericDotted(string s) => s.All(c => char.IsAsciiDigit(c) || c == '.');

    // Only the dotted quad: IPAddress.TryParse would also take "10" or "1.2.3" (inet_aton forms).
    private static bool IsIPv4(string s)
    {
        var parts = s.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is >= 1 and <= 3
            && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= 255);
    }

    private static bool IsDnsName(string s) =>
        s.Length <= 253 && s.TrimEnd('.').Split('.').All(label => label.Length is >= 1 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-');
}
