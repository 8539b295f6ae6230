using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Relay;
using P2PNode.Transport;

namespace P2PNode.Core.Tests.Relay;

/// <summary>A real node on a <see cref="MemoryNetwork"/> with a <see cref="RelayTransport"/> (and, for a relay,
/// a <see cref="RelayService"/>). Direct links are in-memory; circuits run real Noise end to end.</summary>
internal sealed class RelayTestNode : IAsyncDisposable
{
    private RelayTestNode(NodeIdentity identity, NodeHost host, RelayTransport transport, RelayService? service, NodeMetrics metrics)
    {
        Identity = identity;
        Host = host;
        Transport = transport;
        Service = service;
        Metrics = metrics;
    }

    public NodeIdentity Identity { get; }
    public NodeHost Host { get; }
    public RelayTransport Transport { get; }
    public RelayService? Service { get; }
    public NodeMetrics Metrics { get; }
    public PeerId Id => Identity.PeerId;
    public string Address => Host.ListenAddresses[0];

    public static TransportOptions Options { get; } = new() { Listen = [], HandshakeTimeout = TimeSpan.FromSeconds(5) };

    public static async Task<RelayTestNode> StartAsync(MemoryNetwork network, RelayServiceOptions? relay = null,
        Func<IFrameConnection, IFrameConnection>? wrap = null)
    {
        var identity = NodeIdentity.Generate();
        var metrics = new NodeMetrics();
        var transport = new RelayTransport(new MemoryTransport(identity.PeerId, network), identity, Options, metrics, NullLogger.Instance);
        var host = new NodeHost(identity, transport, Options, metrics, NullLogger.Instance)
        {
            Capabilities = relay is null ? [] : [RelayService.Capability],
            WrapConnection = wrap,
        };
        RelayService? service = relay is null ? null : new RelayService(relay, metrics, NullLogger.Instance, () => host.ListenAddresses[0], identity.PeerId);
        transport.Attach(host, service);
        await host.StartAsync(CancellationToken.None);
        return new RelayTestNode(identity, host, transport, service, metrics);
    }

    /// <summary>Connects to the relay and makes a reservation; returns the relayed address.</summary>
    public async Task<string> ReserveOnAsync(RelayTestNode relay)
    {
        var session = await Host.ConnectAsync(relay.Address, relay.Id, CancellationToken.None);
        var ok = await Transport.ReserveAsync(session, CancellationToken.None);
        return ok.RelayedAddress;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (Service is not null) await Service.DisposeAsync();
        Identity.Dispose();
    }
}
