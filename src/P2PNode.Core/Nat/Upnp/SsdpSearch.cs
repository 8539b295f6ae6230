using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace P2PNode.Nat.Upnp;

/// <summary>
/// SSDP discovery of an internet gateway (UPnP Device Architecture 1.1, section 1.3): an M-SEARCH multicast to
/// 239.255.255.250:1900 from a socket bound to our LAN address, answered by unicast HTTP-over-UDP responses.
/// </summary>
public static class SsdpSearch
{
    public const string Protocol = "UPnP-IGD";
    public static readonly IPEndPoint MulticastEndpoint = new(IPAddress.Parse("239.255.255.250"), 1900);

    /// <summary>What we search for: IGD:2 first (newer gateways answer both), then IGD:1.</summary>
    public static readonly string[] SearchTargets =
    [
        "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
        "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
    ];

    /// <summary>The M-SEARCH request text. MX is how many seconds a device may delay its answer (1-5).</summary>
    public static string BuildRequest(string searchTarget, int mx) =>
        "M-SEARCH * HTTP/1.1\r\n" +
        "HOST: 239.255.255.250:1900\r\n" +
        "MAN: \"ssdp:discover\"\r\n" +
        $"MX: {mx}\r\n" +
        $"ST: {searchTarget}\r\n" +
        "USER-AGENT: Linux/1 UPnP/1.1 p2pnode/1\r\n\r\n";

    /// <summary>
    /// Parses an M-SEARCH response. Throws <see cref="FormatException"/> with the reason for anything that is
    /// not a 200 response with an http LOCATION on the sender's own address and an ST header.
    /// </summary>
    public static SsdpResponse Parse(ReadOnlySpan<byte> datagram, IPAddress from)
    {
        var text = Encoding.UTF8.GetString(datagram);
        var lines = text.Split("\r\n");
        if (!lines[0].StartsWith("HTTP/1.", StringComparison.Ordinal))
            throw new FormatException($"not an HTTP response: '{Truncate(lines[0])}'");
        var status = lines[0].Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (status.Length < 2 || status[1] != "200") throw new FormatException($"status is not 200: '{Truncate(lines[0])}'");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) break;
            var colon = line.IndexOf(':');
            if (colon <= 0) throw new FormatException($"header line without a name: '{Truncate(line)}'");
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        if (!headers.TryGetValue("ST", out var st) || st.Length == 0) throw new FormatException("no ST header");
        if (!headers.TryGetValue("LOCATION", out var location)) throw new FormatException("no LOCATION header");
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            throw new FormatException($"LOCATION is not an absolute http URL: '{Truncate(location)}'");
        // The description must come from the device that answered: a LOCATION elsewhere would make us fetch
        // (and later post to) an arbitrary host on the say-so of any datagram.
        if (!IPAddress.TryParse(uri.Host, out var host) || !host.Equals(from))
            throw new FormatException($"LOCATION host '{uri.Host}' is not the responder {from}");
        headers.TryGetValue("SERVER", out var server);
        return new SsdpResponse(from, st, uri, server);
    }

    /// <summary>
    /// Multicasts M-SEARCH from <paramref name="localAddress"/> and returns the first IGD that answers (only
    /// answers from <paramref name="onlyFrom"/>, when given, count). Resends once at a third of the timeout;
    /// throws <see cref="NatTimeoutException"/> when nobody answered in time.
    /// </summary>
    public static async Task<SsdpResponse> SearchAsync(IPAddress localAddress, IPAddress? onlyFrom, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(localAddress, 0));
            // Without this the kernel sends multicast out of whatever interface the routing table picks.
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, localAddress.GetAddressBytes());
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 2);
        }
        catch (SocketException e)
        {
            throw new NatException(Protocol, NatErrorKind.Unreachable, $"cannot open an SSDP socket on {localAddress}: {e.Message}", e);
        }
        var mx = Math.Clamp((int)timeout.TotalSeconds - 1, 1, 5);
        var clock = Stopwatch.StartNew();
        var attempts = 0;
        var buffer = new byte[2048];
        var nextSend = TimeSpan.Zero;
        while (clock.Elapsed < timeout)
        {
            if (clock.Elapsed >= nextSend && attempts < 2)
            {
                attempts++;
                foreach (var st in SearchTargets)
                {
                    try
                    {
                        await socket.SendToAsync(Encoding.ASCII.GetBytes(BuildRequest(st, mx)), SocketFlags.None, MulticastEndpoint, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SocketException e)
                    {
                        throw new NatException(Protocol, NatErrorKind.Unreachable, $"cannot multicast M-SEARCH from {localAddress}: {e.Message}", e);
                    }
                }
                nextSend = attempts < 2 ? clock.Elapsed + timeout / 3 : TimeSpan.MaxValue;
            }
            var waitUntil = nextSend < timeout ? nextSend : timeout;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(waitUntil - clock.Elapsed is var left && left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                continue;
            }
            var from = ((IPEndPoint)received.RemoteEndPoint).Address;
            if (onlyFrom is not null && !from.Equals(onlyFrom)) continue;
            SsdpResponse response;
            try
            {
                response = Parse(buffer.AsSpan(0, received.ReceivedBytes), from);
            }
            catch (FormatException)
            {
                continue; // another device's sloppy answer must not hide the gateway's
            }
            if (IsGatewayTarget(response.SearchTarget)) return response;
        }
        throw new NatTimeoutException(Protocol, $"SSDP M-SEARCH from {localAddress}", attempts, clock.Elapsed);
    }

    private static bool IsGatewayTarget(string st) =>
        st.StartsWith("urn:schemas-upnp-org:device:InternetGatewayDevice:", StringComparison.Ordinal);

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "...";
}
