using P2PNode.Config;
using P2PNode.Identity;
using P2PNode.Ledger.Storage;
using P2PNode.Ledger.Sync;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Overlay;
using P2PNode.Overlay.PeerStore;
using P2PNode.Transport;
using P2PNode.Wire.Gossip;

namespace P2PNode.Hosting;

/// <summary>
/// Assembles a whole node from <see cref="NodeOptions"/> and starts it (docs/runtime.md, "Assembling a node").
/// The order is fixed because each step needs the one before: defences are on the host before it accepts anyone;
/// the relay wraps the transport before the host owns it; the port mapping and the relay decide the advertised
/// address before the overlay (which fixes it when it starts) joins; services start once the overlay has joined.
/// `p2pnode run` and the tests that run whole nodes in one process both come through here.
/// </summary>
public static class NodeBuilder
{
    /// <summary>The ledger database in node.data_dir.</summary>
    public const string LedgerFile = "ledger.db";

    private const int MaxStoredPeers = 1000;
    private const int MaxRememberedContacts = 8;

    /// <summary>Builds and starts the node; on failure (e.g. a listen address in use: SocketException) what was
    /// built is disposed and the exception propagates. Configuration errors are <see cref="ConfigException"/>.</summary>
    public static async Task<RunningNode> StartAsync(NodeOptions options, CancellationToken ct)
    {
        var config = NodeBootstrap.WithBootstrapFile(options.Config, options.Log);
        Directory.CreateDirectory(config.Node.DataDir);
        var node = new RunningNode(options with { Config = config }, ct);
        try
        {
            await AssembleAsync(node, options.Ledger, options.Services, options.MaxPortMappingWait);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private static async Task AssembleAsync(RunningNode node, bool withLedger, IReadOnlyList<ITopicService> services, TimeSpan maxPortMappingWait)
    {
        var (config, identity, metrics, log, ct) = (node.Config, node.Identity, node.Metrics, node.Log, node.Stopping);
        var defence = node.Defence = NodeDefence.Load(config, identity, metrics, log);
        node.Own(new MetricsFileWriter(metrics, Path.Combine(config.Node.DataDir, "metrics.prom"), TimeSpan.FromSeconds(1)));
        var store = node.Own(config.Overlay.PeerStore ? SqlitePeerStore.Open(Path.Combine(config.Node.DataDir, "peers.db")) : null);
        ITransport transport = new TcpTransport(identity, config.Network, metrics, log);
        var relay = node.Own(new NodeRelay(config, identity, metrics, log, node.Say));
        transport = relay.Wrap(transport);
        if (store is not null) transport = new RecordingTransport(transport, store);
        var host = node.Host = node.Own(new NodeHost(identity, transport, config.Network, metrics, log)
        {
            Agent = node.Agent,
            Capabilities = ["gossip/1", .. defence.Capabilities, .. relay.Capabilities],
        });
        defence.Attach(host);

        var addresses = await host.StartAsync(ct);
        node.Say($"node {identity.PeerId} listening on {string.Join(",", addresses)}");

        // Port mapping runs in the background; the overlay joins once it answered or gave up (its discovery budget),
        // because the overlay's advertised address is fixed when it starts.
        node.PortMapping = NodePortMapping.Start(config.Peers.PortMapping, addresses, $"p2pnode {identity.PeerId.Short}", metrics, log, node.Say);
        var mapped = await node.PortMapping.WaitAsync(maxPortMappingWait, ct);
        var own = mapped is not null && config.Overlay.AdvertiseAddress is null ? mapped : config.Overlay.AdvertisedFor(addresses[0]);
        var advertised = node.AdvertisedAddress = await relay.StartAsync(host, own, ct, mapped);

        var validators = services.Where(s => s.Validator is not null).ToDictionary(s => s.Topic, s => s.Validator!, StringComparer.Ordinal);
        var overlay = node.Overlay = new OverlayService(host, identity, advertised, new OverlayOptions(), log,
            validators.Count == 0 ? null : new TopicValidators(validators));
        overlay.Subscribe(config.Overlay.Topic);
        foreach (var s in services) overlay.Subscribe(s.Topic);
        defence.Watch(overlay);
        if (store is not null) node.Own(new SessionRecorder(host, store));
        node.Addresses = WatchObservedAddresses(node);
        overlay.Start(JoinContacts(config, store, identity.PeerId, log));
        log.OverlayStarted(config.Overlay.Topic, advertised);

        if (withLedger)
        {
            node.Ledger = LedgerStore.Open(Path.Combine(config.Node.DataDir, LedgerFile));
            // Heads every 10 s (the default): each tick that finds a log grown costs a head, a fetch and a cosignature per
            // peer, and a run needs no faster replication (contributions travel inside their gossip messages, and the
            // node announces at once when it finishes); at 1 s the ledger cost more bytes than top-2% model deltas.
            node.LedgerSync = new LedgerSync(host, node.Ledger, identity, new LedgerSyncOptions(), log);
            node.LedgerSync.Start();
        }
        node.Loop(t => NeighbourPings.RunAsync(host, overlay, log, t));
        foreach (var s in services) node.StartService(s);
    }

    // Configured bootstrap peers first, then remembered ones: a restarted node rejoins even with none configured.
    private static List<PeerAddress> JoinContacts(NodeConfig config, SqlitePeerStore? store, PeerId self, Microsoft.Extensions.Logging.ILogger log)
    {
        var contacts = config.Peers.Bootstrap.Select(p => new PeerAddress(p.PeerId, p.Address)).ToList();
        if (store is null) return contacts;
        var pruned = store.Prune(MaxStoredPeers);
        var remembered = store.JoinContacts(self, MaxRememberedContacts).Where(r => contacts.All(c => c.Peer != r.Peer)).ToList();
        log.PeerStoreContacts(store.Count, pruned, contacts.Count, remembered.Count);
        return [.. contacts, .. remembered];
    }

    // Address discovery: every peer's Hello says where it sees us; the majority of distinct peers is logged.
    private static AddressBook WatchObservedAddresses(RunningNode node)
    {
        var book = new AddressBook();
        book.ExternalIpChanged += ip =>
        {
            var (agreeing, voters) = book.Support;
            node.Log.ExternalAddress(ip, agreeing, voters);
        };
        node.Host.SessionStarted += s =>
        {
            if (!book.Observe(s.RemotePeer, s.RemoteHello.ObservedAddress, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
                node.Log.UnusableObservedAddress(s.RemotePeer.Short, s.RemoteHello.ObservedAddress);
        };
        return book;
    }
}
