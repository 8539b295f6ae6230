using System.Net;
using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;
using P2PNode.Config;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Relay;
using P2PNode.Transport;

namespace P2PNode.Hosting;

/// <summary>
/// Circuit relay for a node (docs/nat.md): wraps the transport so "relay:" addresses are dialable and
/// relayed circuits are accepted, offers relay service when [relay] serve is true, and — per network.relay —
/// keeps a reservation on a relay and hands back the relayed address for the overlay to advertise.
/// Machine-readable lines (the say callback; stdout under `p2pnode run`): "relay reservation &lt;relayed address&gt;" each time a reservation is made, and
/// "relay decision &lt;off|direct|relayed&gt; &lt;why&gt;" once.
/// </summary>
internal sealed class NodeRelay(NodeConfig config, NodeIdentity identity, NodeMetrics metrics, ILogger log, Action<string> say) : IAsyncDisposable
{
    private CancellationTokenSource _stop = new();
    private RelayTransport? _transport;
    private RelayService? _service;
    private Task _keeper = Task.CompletedTask;

    /// <summary>Hello capabilities this node adds.</summary>
    public IReadOnlyList<string> Capabilities => config.Relay.Serve ? [RelayService.Capability] : [];

    public ITransport Wrap(ITransport inner) => _transport = new RelayTransport(inner, identity, config.Network, metrics, log);

    /// <summary>Attaches to the started host and decides how this node is reached; returns the address to advertise.</summary>
    /// <param name="mappedAddress">The external address of this node's port mapping (network.port_mapping), if
    /// one was made: "auto" then needs no relay.</param>
    public async Task<string> StartAsync(NodeHost host, string ownAddress, CancellationToken ct, string? mappedAddress = null)
    {
        var transport = _transport ?? throw new InvalidOperationException("Wrap the transport first");
        // The keeper stops with the node's shutdown signal, before the host closes its transport under it.
        _stop.Dispose();
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (config.Relay.Serve) _service = new RelayService(config.Relay.Limits, metrics, log, () => ownAddress, host.PeerId);
        transport.Attach(host, _service);
        switch (config.Peers.Relay)
        {
            case RelayMode.Fixed when config.Peers.RelayPeer is { } peer:
                Decision("relayed", $"network.relay names {peer}");
                return await KeepReservationAsync(host, transport, peer.PeerId, peer.Address, ct);
            case RelayMode.Auto:
                if (mappedAddress is not null)
                {
                    Decision("direct", $"port mapping {mappedAddress}");
                    return ownAddress;
                }
                return await AutoAsync(host, transport, ownAddress, ct);
            default:
                Decision("off", "network.relay = \"off\"");
                return ownAddress;
        }
    }

    // Dial the bootstrap peers; if they see us at an address that is not ours, we are behind NAT: use the first relay among them.
    private async Task<string> AutoAsync(NodeHost host, RelayTransport transport, string ownAddress, CancellationToken ct)
    {
        if (config.Overlay.AdvertiseAddress is not null)
        {
            Decision("direct", "overlay.advertise_address is set");
            return ownAddress;
        }
        var sessions = (await Task.WhenAll(config.Peers.Bootstrap.Select(b => TryConnectAsync(host, b, ct)))).OfType<PeerSession>().ToList();
        if (sessions.Count == 0)
        {
            Decision("direct", "no bootstrap peer answered, nothing observed");
            return ownAddress;
        }
        var local = LocalAddresses();
        var observed = sessions.Select(s => ObservedIp(s.RemoteHello.ObservedAddress)).OfType<IPAddress>().ToList();
        if (observed.Count == 0 || observed.Any(local.Contains))
        {
            Decision("direct", $"peers see this node at its own address ({string.Join(", ", observed)})");
            return ownAddress;
        }
        var relay = sessions.FirstOrDefault(s => s.RemoteHello.Capabilities.Contains(RelayService.Capability));
        if (relay is null)
        {
            Decision("direct", $"behind NAT (seen as {observed[0]}) but no bootstrap peer offers {RelayService.Capability}");
            return ownAddress;
        }
        Decision("relayed", $"behind NAT (seen as {observed[0]}); relay {relay.RemotePeer}");
        return await KeepReservationAsync(host, transport, relay.RemotePeer, relay.RemoteAddress, ct);
    }

    private async Task<PeerSession?> TryConnectAsync(NodeHost host, BootstrapPeer peer, CancellationToken ct)
    {
        try { return await host.ConnectAsync(peer.Address, peer.PeerId, ct); }
        catch (Exception e) when (e is TransportException or SessionException)
        {
            log.RelayCandidateUnreachable(peer.PeerId.Short, e.Message);
            return null;
        }
        catch (OperationCanceledException) { return null; } // shutting down during start-up

    }

    private async Task<string> KeepReservationAsync(NodeHost host, RelayTransport transport, PeerId relay, string endpoint, CancellationToken ct)
    {
        var keeper = new RelayReservation(host, transport, relay, endpoint, log);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        keeper.Reserved += ok =>
        {
            say($"relay reservation {keeper.RelayedAddress}");
            first.TrySetResult();
        };
        _keeper = Task.Run(() => keeper.RunAsync(_stop.Token), CancellationToken.None);
        // Advertise at once, but give the first reservation a moment so the first peers that dial us succeed.
        await Task.WhenAny(first.Task, Task.Delay(config.Network.HandshakeTimeout, ct));
        return keeper.RelayedAddress;
    }

    private void Decision(string what, string why) => say($"relay decision {what} {why}");

    private static IPAddress? ObservedIp(string text)
    {
        // "ip:port" or "[v6]:port": the IP is everything before the last colon, brackets removed.
        var colon = text.LastIndexOf(':');
        if (colon <= 0) return null;
        return IPAddress.TryParse(text[..colon].Trim('[', ']'), out var ip) ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip) : null;
    }

    private static HashSet<IPAddress> LocalAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address).ToHashSet();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _keeper;
        if (_service is not null) await _service.DisposeAsync();
        _stop.Dispose();
    }
}
