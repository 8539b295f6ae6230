using System.Net;

namespace P2PNode.Transport;

/// <summary>Resolving and printing of "host:port" addresses ("[v6]:port" for IPv6); parsing is <see cref="Config.HostPort"/>'s.</summary>
public static class Endpoints
{
    public static string Format(IPEndPoint endpoint) => Config.HostPort.Format(endpoint.Address.ToString(), endpoint.Port);

    public static async Task<IPEndPoint> ResolveAsync(string text, CancellationToken ct)
    {
        if (!Config.HostPort.TryParse(text, requireIpLiteral: false, allowPortZero: true, out var host, out var port, out var error))
            throw new FormatException($"'{text}': {error}");
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        var addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new FormatException($"'{host}' does not resolve to any address");
        return new IPEndPoint(chosen, port);
    }
}
