using System.Net;

namespace P2PNode.Transport;

/// <summary>Parsing and printing of "host:port" addresses ("[v6]:port" for IPv6).</summary>
public static class Endpoints
{
    public static bool TryParse(string text, out string host, out int port, out string error)
    {
        host = ""; port = 0; error = "";
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) { error = $"'{text}' is not host:port"; return false; }
        host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            error = $"'{text}' has an invalid port"; return false;
        }
        if (host.Length == 0) { error = $"'{text}' has an empty host"; return false; }
        return true;
    }

    public static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{endpoint.Address}]:{endpoint.Port}"
            : $"{endpoint.Address}:{endpoint.Port}";

    public static async Task<IPEndPoint> ResolveAsync(string text, CancellationToken ct)
    {
        if (!TryParse(text, out var host, out var port, out var error)) throw new FormatException(error);
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        var addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new FormatException($"'{host}' does not resolve to any address");
        return new IPEndPoint(chosen, port);
    }
}
