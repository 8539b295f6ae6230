using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using P2PNode.Config;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Identity;
using P2PNode.Overlay;
using P2PNode.Overlay.PeerStore;
using P2PNode.Peers;
using P2PNode.Transport;
using P2PNode.Wire.Gossip;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode run [--config node.toml] [--listen a,b] [--data-dir D] [--bootstrap id@host:port,...]
/// [--publish-every MS]`: runs a node in the gossip overlay until SIGINT/SIGTERM, then says goodbye to every
/// peer. Machine-readable stdout lines: "node &lt;peer id&gt; listening on &lt;addresses&gt;" once it accepts
/// connections, "delivered &lt;id hex&gt; from &lt;origin&gt; hops &lt;h&gt; &lt;text&gt;" for every message of the topic
/// (its own included, with hops 0), and the answers to control lines read from stdin:
/// "publish &lt;text&gt;" (answers "published &lt;id hex&gt;") and "view &lt;tag&gt;" (answers
/// "view &lt;tag&gt; active &lt;n&gt; passive &lt;m&gt; &lt;active ids, comma-separated&gt;") and "address &lt;tag&gt;"
/// (answers "address &lt;tag&gt; &lt;external ip or unknown&gt; &lt;agreeing&gt;/&lt;voters&gt;"); the port mapping lines of
/// <see cref="NodePortMapping"/> and the relay lines of <see cref="NodeRelay"/>. Bootstrap contacts: network.bootstrap,
/// network.bootstrap_file (<see cref="NodeBootstrap"/>), then the peer store.
/// </summary>
internal static class RunCommand
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(5);
    private const int MaxStoredPeers = 1000;
    private const int MaxRememberedContacts = 8;
    // Above the worst discovery (PCP 1 s + NAT-PMP 1 s + UPnP 3 s) plus a mapping request: never reached normally.
    private static readonly TimeSpan MaxPortMappingWait = TimeSpan.FromSeconds(10);

    public static Task<int> RunAsync(Args a) => a.Positional is ["new", ..] ? RunNewCommand.RunAsync(a) : NodeSetup.Guard("run", async () =>
    {
        var training = TrainingFlags.Read(a);
        var flags = NodeSetup.ReadFlags(a);
        if (a.Get("bootstrap") is { } bootstrap)
            flags = flags with { Overrides = new Dictionary<string, string>(flags.Overrides) { ["network.bootstrap"] = bootstrap } };
        var publishEvery = a.GetInt("publish-every", 10, 86_400_000);
        a.EnsureAllUsed();
        using var loaded = NodeSetup.Load(flags);
        var identity = loaded.Identity;
        using var loggerFactory = Logging.Create(loaded.Config.Logging.Level);
        var log = loggerFactory.CreateLogger("p2pnode");
        var config = NodeBootstrap.WithBootstrapFile(loaded.Config, log);
        Directory.CreateDirectory(config.Node.DataDir);

        var metrics = new NodeMetrics();
        var defence = NodeDefence.Load(config, identity, metrics, log);
        await using var metricsFile = new MetricsFileWriter(metrics, Path.Combine(config.Node.DataDir, "metrics.prom"), TimeSpan.FromSeconds(1));
        using var store = config.Overlay.PeerStore ? SqlitePeerStore.Open(Path.Combine(config.Node.DataDir, "peers.db")) : null;
        ITransport transport = new TcpTransport(identity, config.Network, metrics, log);
        await using var relay = new NodeRelay(config, identity, metrics, log);
        transport = relay.Wrap(transport);
        if (store is not null) transport = new RecordingTransport(transport, store);
        await using var host = new NodeHost(identity, transport, config.Network, metrics, log)
        {
            Agent = AgentInfo.Agent,
            Capabilities = ["gossip/1", .. defence.Capabilities, .. relay.Capabilities],
        };
        defence.Attach(host);

        using var shutdown = new CancellationTokenSource();
        var exitCode = 0; // 1 when training failed (the node stops so that a supervisor restarts it)
        void Stop(PosixSignalContext c) { c.Cancel = true; shutdown.Cancel(); }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        IReadOnlyList<string> addresses;
        try { addresses = await host.StartAsync(shutdown.Token); }
        catch (System.Net.Sockets.SocketException e)
        {
            Console.Error.WriteLine($"p2pnode run: cannot listen on {string.Join(", ", config.Network.Listen)}: {e.Message}");
            return 2;
        }
        Console.Out.WriteLine($"node {identity.PeerId} listening on {string.Join(",", addresses)}");
        Console.Out.Flush();

        // Port mapping runs in the background; the overlay joins once it answered or gave up (its discovery budget),
        // because the overlay's advertised address is fixed when it starts.
        await using var portMapping = NodePortMapping.Start(config.Peers.PortMapping, addresses, $"p2pnode {identity.PeerId.Short}", metrics, log);
        var mapped = await portMapping.WaitAsync(MaxPortMappingWait, shutdown.Token);
        var own = mapped is not null && config.Overlay.AdvertiseAddress is null ? mapped : config.Overlay.AdvertisedFor(addresses[0]);

        var topic = config.Overlay.Topic;
        var advertised = await relay.StartAsync(host, own, shutdown.Token, mapped);
        var validator = training is null ? null : new RunTopicValidator(training.Topic);
        var overlay = new OverlayService(host, identity, advertised, new OverlayOptions(), log, validator);
        overlay.Subscribe(topic);
        if (training is not null) overlay.Subscribe(training.Topic);
        defence.Watch(overlay);
        overlay.Delivered += d => { if (d.Topic == topic) PrintDelivered(d.Id, d.Origin.ToString(), d.Hops, d.Payload); };
        using var recorder = store is null ? null : new SessionRecorder(host, store);
        var addressBook = WatchObservedAddresses(host, log);
        overlay.Start(JoinContacts(config, store, identity.PeerId, log));
        log.OverlayStarted(topic, advertised);

        var publish = (string text) => Publish(overlay, topic, identity.PeerId.ToString(), text, log);
        _ = Task.Run(() => ReadControlLinesAsync(overlay, addressBook, publish, log));
        var loops = new List<Task> { PingNeighboursAsync(host, overlay, log, shutdown.Token) };
        if (publishEvery is { } ms) loops.Add(PublishEveryAsync(TimeSpan.FromMilliseconds(ms), publish, shutdown.Token));
        if (training is not null) loops.Add(TrainingRun.RunAsync(training, loaded, host, overlay, validator!, metrics, log,
            (node, transfer) => { defence.Watch(node); defence.Watch(transfer); }, code => { exitCode = code; shutdown.Cancel(); }, shutdown.Token));

        try { await Task.Delay(Timeout.Infinite, shutdown.Token); }
        catch (OperationCanceledException) { }
        log.ShutdownRequested();
        // Host first: peers get Disconnect(Shutdown) ("gone"), not the overlay's Detach ("alive, not your neighbour").
        await host.StopAsync();
        await overlay.DisposeAsync();
        await portMapping.DisposeAsync(); // deletes the mapping (bounded: a vanished gateway cannot hold up the exit)
        await Task.WhenAll(loops);
        return exitCode;
    });

    // Configured bootstrap peers first, then remembered ones: a restarted node rejoins even with none configured.
    private static List<PeerAddress> JoinContacts(NodeConfig config, SqlitePeerStore? store, PeerId self, ILogger log)
    {
        var contacts = config.Peers.Bootstrap.Select(p => new PeerAddress(p.PeerId, p.Address)).ToList();
        if (store is null) return contacts;
        var pruned = store.Prune(MaxStoredPeers);
        var remembered = store.JoinContacts(self, MaxRememberedContacts).Where(r => contacts.All(c => c.Peer != r.Peer)).ToList();
        log.PeerStoreContacts(store.Count, pruned, contacts.Count, remembered.Count);
        return [.. contacts, .. remembered];
    }

    // Address discovery: every peer's Hello says where it sees us; the majority of distinct peers is logged.
    private static AddressBook WatchObservedAddresses(NodeHost host, ILogger log)
    {
        var book = new AddressBook();
        book.ExternalIpChanged += ip =>
        {
            var (agreeing, voters) = book.Support;
            log.ExternalAddress(ip, agreeing, voters);
        };
        host.SessionStarted += s =>
        {
            if (!book.Observe(s.RemotePeer, s.RemoteHello.ObservedAddress, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
                log.UnusableObservedAddress(s.RemotePeer.Short, s.RemoteHello.ObservedAddress);
        };
        return book;
    }

    private static void Publish(OverlayService overlay, string topic, string self, string text, ILogger log)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        MessageId id;
        try { id = overlay.Publish(topic, payload); }
        catch (ArgumentException e)
        {
            log.PublishRefused(e.Message);
            return;
        }
        Console.Out.WriteLine($"published {id}");
        PrintDelivered(id, self, 0, payload);
    }

    private static void PrintDelivered(MessageId id, string origin, uint hops, byte[] payload)
    {
        // One line per delivery whatever the payload holds: control characters become '?'.
        var text = string.Concat(Encoding.UTF8.GetString(payload).Select(c => char.IsControl(c) ? '?' : c));
        Console.Out.WriteLine($"delivered {id} from {origin} hops {hops} {text}");
    }

    // Control lines on stdin; end of input (e.g. stdin is /dev/null under systemd) just ends this loop.
    private static async Task ReadControlLinesAsync(OverlayService overlay, AddressBook addressBook, Action<string> publish, ILogger log)
    {
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var space = line.IndexOf(' ');
            var (verb, rest) = space < 0 ? (line, "") : (line[..space], line[(space + 1)..]);
            switch (verb)
            {
                case "publish":
                    publish(rest);
                    break;
                case "view":
                    var active = overlay.ActiveView;
                    Console.Out.WriteLine($"view {rest} active {active.Count} passive {overlay.PassiveView.Count} {string.Join(",", active)}");
                    break;
                case "address":
                    var (agreeing, voters) = addressBook.Support;
                    Console.Out.WriteLine($"address {rest} {addressBook.ExternalIp?.ToString() ?? "unknown"} {agreeing}/{voters}");
                    break;
                case "":
                    break;
                default:
                    log.UnknownControlLine(verb);
                    break;
            }
        }
    }

    private static async Task PublishEveryAsync(TimeSpan interval, Action<string> publish, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) publish($"tick {++n}");
        }
        catch (OperationCanceledException) { }
    }

    // Round-trip times to the overlay neighbours, logged as "ping <short id>: rtt <ms> ms" (liveness at a glance).
    private static async Task PingNeighboursAsync(NodeHost host, OverlayService overlay, ILogger log, CancellationToken ct)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            while (true)
            {
                var active = overlay.ActiveView.ToHashSet();
                await Task.WhenAll(host.Sessions.Where(s => active.Contains(s.RemotePeer)).Select(s => PingAsync(s, log, ct)));
                await Task.Delay(PingInterval, ct);
            }
        }
        catch (OperationCanceledException) { }
    }

    private static async Task PingAsync(PeerSession session, ILogger log, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(PingInterval * 2);
            var rtt = await session.PingAsync(timeout.Token);
            log.Ping(session.RemotePeer.Short, rtt.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e) when (e is OperationCanceledException or SessionException)
        {
            log.PingFailed(session.RemotePeer.Short, e.Message);
        }
    }
}
