using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using P2PNode.Config;
using P2PNode.Metrics;
using P2PNode.Nat;

namespace P2PNode.Hosting;

/// <summary>
/// network.port_mapping for a node (docs/nat.md, "Port mapping in p2pnode run"): in the background, finds a
/// gateway (PCP, NAT-PMP, UPnP-IGD), maps the TCP listen port, keeps the mapping renewed at half its lifetime
/// (<see cref="PortMappingKeeper"/>) and deletes it on dispose. <see cref="WaitAsync"/> gives the external
/// "ip:port" to advertise, or null. Machine-readable lines (the say callback of Start; stdout under `p2pnode run`), one each: "port mapping skipped &lt;why&gt;",
/// "port mapping none &lt;why&gt;", "port mapping mapped &lt;protocol&gt; &lt;external ip:port&gt; &lt;private port&gt;",
/// "port mapping deleted &lt;external ip:port&gt;".
/// </summary>
internal sealed class NodePortMapping : IAsyncDisposable
{
    /// <summary>Lifetime asked for: renewed every 30 min, and a crashed node's mapping is gone within the hour.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<string?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly NodeMetrics _metrics;
    private readonly ILogger _log;
    private readonly Action<string> _say;
    private Task _work = Task.CompletedTask;
    private IPortMapper? _mapper;
    private PortMappingKeeper? _keeper;
    private string? _advertised;
    private int _advertisedPort;
    private int _disposed;

    private NodePortMapping(NodeMetrics metrics, ILogger log, Action<string> say)
    {
        _metrics = metrics;
        _log = log;
        _say = say;
    }

    /// <summary>Starts the attempt (or decides at once that there is none) and returns without waiting for the gateway.</summary>
    public static NodePortMapping Start(PortMappingMode mode, IReadOnlyList<string> boundAddresses, string description, NodeMetrics metrics, ILogger log,
        Action<string> say)
    {
        var mapping = new NodePortMapping(metrics, log, say);
        if (SkipReason(mode, boundAddresses, out var listen) is { } why)
        {
            mapping.Say("skipped", why);
            mapping._result.TrySetResult(null);
            return mapping;
        }
        mapping._work = Task.Run(() => mapping.MapAsync(mode, listen!, description), CancellationToken.None);
        return mapping;
    }

    /// <summary>The external "ip:port" once mapped; null when there is no mapping, when <paramref name="limit"/>
    /// passes first (the mapping may still come, but is then only logged), or on cancellation.</summary>
    public async Task<string?> WaitAsync(TimeSpan limit, CancellationToken ct)
    {
        try
        {
            return await _result.Task.WaitAsync(limit, ct);
        }
        catch (TimeoutException)
        {
            _log.PortMappingNoAnswer(limit.TotalSeconds);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    // Why "auto" would not help (or no address can be mapped at all); null when an attempt is due.
    internal static string? SkipReason(PortMappingMode mode, IReadOnlyList<string> boundAddresses, out IPEndPoint? listen)
    {
        listen = null;
        if (mode == PortMappingMode.Off) return "network.port_mapping = \"off\"";
        var v4 = boundAddresses.Select(a => IPEndPoint.TryParse(a, out var e) ? e : null)
            .OfType<IPEndPoint>().Where(e => e.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(e.Address)).ToList();
        if (v4.Count == 0) return "no IPv4 listen address other than loopback (NAT port mapping is for IPv4)";
        listen = v4[0];
        if (mode != PortMappingMode.Auto) return null;
        if (!listen.Address.Equals(IPAddress.Any))
            return IsPrivate(listen.Address) ? null : $"listening on the public address {listen.Address}";
        var own = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IsPrivate(a));
        return own is null ? null : $"this machine has the public address {own}";
    }

    /// <summary>Addresses behind which a NAT is to be expected: loopback, RFC 1918, shared (carrier-grade NAT,
    /// RFC 6598) and link-local.</summary>
    internal static bool IsPrivate(IPAddress ip)
    {
        var b = ip.MapToIPv4().GetAddressBytes();
        return b[0] == 127 || b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 100 && (b[1] & 0xC0) == 64) || (b[0] == 169 && b[1] == 254) || b[0] == 0;
    }

    private async Task MapAsync(PortMappingMode mode, IPEndPoint listen, string description)
    {
        var token = _stop.Token;
        try
        {
            var methods = mode switch
            {
                PortMappingMode.Pcp => [NatMethod.Pcp],
                PortMappingMode.NatPmp => [NatMethod.NatPmp],
                PortMappingMode.Upnp => [NatMethod.UpnpIgd],
                _ => new[] { NatMethod.Pcp, NatMethod.NatPmp, NatMethod.UpnpIgd },
            };
            var local = listen.Address.Equals(IPAddress.Any) ? null : listen.Address;
            _mapper = await NatDiscoverer.DiscoverAsync(new NatDiscoveryOptions { Methods = methods, LocalAddress = local, Logger = _log }, token);
            if (_mapper is null)
            {
                _metrics.Increment("nat_no_gateway");
                Say("none", $"no gateway answered ({string.Join(", ", methods)}); peers reach this node only if its address is reachable or through a relay");
                return;
            }
            var request = new PortMapping(NatProtocol.Tcp, listen.Port, listen.Port, Lifetime, description);
            _keeper = await PortMappingKeeper.StartAsync(_mapper, request, new PortMappingKeeperOptions { Logger = _log }, token);
            var granted = _keeper.Current;
            var external = granted.PublicAddress ?? await _mapper.GetExternalAddressAsync(token);
            if (IsPrivate(external) || external.Equals(IPAddress.Any))
            {
                // Double NAT (or carrier-grade NAT): the mapping ends at another private network, useless to peers outside.
                _metrics.Increment("nat_mapping_unusable");
                Say("none", $"{_mapper.Protocol} mapped port {granted.PublicPort}, but the gateway's external address {external} is not public (double NAT); not advertised");
                await DropKeeperAsync();
                return;
            }
            _metrics.Increment("nat_mapping_created");
            _keeper.Changed += (_, e) => OnChanged(e);
            var endpoint = new IPEndPoint(external, granted.PublicPort).ToString();
            _say($"port mapping mapped {_mapper.Protocol} {endpoint} {listen.Port}");
            _advertised = endpoint;
            _advertisedPort = granted.PublicPort;
            _result.TrySetResult(endpoint);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is NatException or IOException or SocketException or HttpRequestException or ArgumentException)
        {
            _metrics.Increment("nat_mapping_failed");
            Say("none", $"{_mapper?.Protocol ?? "discovery"} failed: {e.Message}");
        }
        finally
        {
            _result.TrySetResult(null);
        }
    }

    private void OnChanged(PortMappingEvent e)
    {
        _metrics.Increment("nat_mapping_" + e.Kind switch
        {
            PortMappingEventKind.Renewed => "renewed",
            PortMappingEventKind.RenewFailed => "renew_failed",
            PortMappingEventKind.Lost => "lost",
            PortMappingEventKind.Deleted => "deleted",
            PortMappingEventKind.DeleteFailed => "delete_failed",
            _ => "created",
        });
        if (e.Kind == PortMappingEventKind.Deleted)
        {
            _say(string.Create(CultureInfo.InvariantCulture, $"port mapping deleted {_advertised}"));
        }
        else if (e.Kind == PortMappingEventKind.Renewed && e.Mapping.PublicPort != _advertisedPort)
        {
            // Renewals ask for the port already held; a gateway that hands out another one (after a reboot) makes
            // the advertised address stale, which the overlay cannot change while it runs.
            _log.PortMappingMoved(e.Mapping.PublicPort, _advertised);
        }
    }

    private void Say(string what, string why)
    {
        _log.PortMappingOutcome(what, why);
        _say($"port mapping {what} {why}");
    }

    private async Task DropKeeperAsync()
    {
        if (_keeper is null) return;
        var keeper = _keeper;
        _keeper = null;
        await keeper.DisposeAsync();
    }

    /// <summary>Stops discovery, deletes the mapping (bounded by the keeper's delete timeout) and closes the client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync();
        await _work;
        await DropKeeperAsync();
        if (_mapper is not null) await _mapper.DisposeAsync();
        _stop.Dispose();
    }
}
