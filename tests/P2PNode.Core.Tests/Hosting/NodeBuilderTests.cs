using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using P2PNode.Config;
using P2PNode.Hosting;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Overlay;
using P2PNode.TestSupport;
using P2PNode.Transport;
using Xunit;

namespace P2PNode.Core.Tests.Hosting;

/// <summary>Whole nodes (real TCP on loopback, SQLite ledgers and peer stores in temporary folders) built by
/// <see cref="NodeBuilder"/> in one process: the builder wires gossip, ledger replication and topic services.</summary>
public sealed class NodeBuilderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("p2pnode-builder-").FullName;
    private readonly List<NodeIdentity> _keys = [];

    [Fact]
    public async Task Three_nodes_gossip_and_replicate_their_ledgers()
    {
        await using var first = await StartAsync("a", []);
        await using var second = await StartAsync("b", [first]);
        await using var third = await StartAsync("c", [first]);
        var seen = new[] { second, third }.Select(Received).ToList();
        await Eventually.UntilAsync(() => first.Overlay.ActiveView.Count == 2, "the first node has both others as neighbours");

        first.Overlay.Publish(first.Config.Overlay.Topic, Encoding.UTF8.GetBytes("hello"));
        await Eventually.UntilAsync(() => seen.All(s => s.Contains("hello")), "the message reached both other nodes");

        var entry = first.Ledger!.AppendOwn(first.Identity.SigningKey, new RunGenesisBody
        {
            Name = "builder test", Model = "none", Hyperparameters = "{}", DataPolicy = "none", InitialModel = new byte[32],
        }, new byte[32]);
        first.LedgerSync!.AnnounceNow();
        await Eventually.UntilAsync(() => new[] { second, third }.All(n => n.Ledger!.GetByHash(entry.Hash) is not null),
            "a run created on the first node reached both other ledgers");
        Assert.Null(first.Ledger.GetByHash(new byte[32]));
    }

    [Fact]
    public async Task A_service_sees_its_topic_only_and_its_exit_code_stops_the_node()
    {
        var service = new RecordingService("svc/1", accept: m => Encoding.UTF8.GetString(m.Payload) != "refused");
        await using var first = await StartAsync("a", [], service);
        await using var second = await StartAsync("b", [first], new RecordingService("svc/1", accept: _ => true));
        var delivered = Received(first, "svc/1");
        await Eventually.UntilAsync(() => first.Overlay.ActiveView.Count == 1 && service.Started, "the nodes joined and the service started");

        second.Overlay.Publish("svc/1", Encoding.UTF8.GetBytes("refused"));
        second.Overlay.Publish("svc/1", Encoding.UTF8.GetBytes("taken"));
        second.Overlay.Publish(second.Config.Overlay.Topic, Encoding.UTF8.GetBytes("chat"));
        await Eventually.UntilAsync(() => delivered.Contains("taken") && service.Validated.Contains("refused"),
            "the first node validated both messages of the service's topic and delivered the one it accepts");
        Assert.DoesNotContain("refused", delivered);
        Assert.DoesNotContain("chat", service.Validated); // other topics never reach a service's validator

        service.Finish(7);
        Assert.Equal(7, await first.WaitAsync(new CancellationTokenSource(Eventually.DefaultTimeout).Token));
    }

    [Fact]
    public async Task A_service_that_throws_stops_the_node_with_status_1_and_the_node_shuts_down_cleanly()
    {
        var service = new RecordingService("svc/2", accept: _ => true);
        var node = await StartAsync("a", [], service);
        await Eventually.UntilAsync(() => service.Started, "the service started");
        service.Fail(new InvalidDataException("bad shard"));
        Assert.Equal(1, await node.WaitAsync(new CancellationTokenSource(Eventually.DefaultTimeout).Token));
        await node.DisposeAsync();
        // The ledger was closed whole: it opens again and holds what it held.
        using var reopened = LedgerStore.Open(Path.Combine(node.Config.Node.DataDir, NodeBuilder.LedgerFile));
        Assert.Equal(0, reopened.Size(node.Identity.PublicKey));
    }

    [Fact]
    public async Task A_listen_address_in_use_fails_the_start_and_leaves_the_running_node_alone()
    {
        await using var first = await StartAsync("a", []);
        var busy = first.ListenAddresses[0];
        await Assert.ThrowsAnyAsync<SocketException>(() => StartAsync("b", [], listen: busy));
        await using var third = await StartAsync("c", [first]);
        await Eventually.UntilAsync(() => first.Overlay.ActiveView.Contains(third.PeerId), "the first node still accepts peers");
    }

    private async Task<RunningNode> StartAsync(string name, RunningNode[] bootstrap, ITopicService? service = null, string listen = "127.0.0.1:0")
    {
        var key = NodeIdentity.Generate();
        _keys.Add(key);
        var config = new NodeConfig
        {
            Node = new NodeSection { DataDir = Path.Combine(_root, name) },
            Network = new TransportOptions { Listen = [listen] },
            Peers = new NetworkSection
            {
                Bootstrap = [.. bootstrap.Select(b => BootstrapPeer.Parse($"{b.PeerId}@{b.ListenAddresses[0]}"))],
                PortMapping = PortMappingMode.Off,
            },
        };
        return await NodeBuilder.StartAsync(new NodeOptions
        {
            Config = config, Identity = key, Agent = "p2pnode/test", Ledger = true, Services = service is null ? [] : [service],
        }, CancellationToken.None);
    }

    private static ConcurrentBag<string> Received(RunningNode node) => Received(node, node.Config.Overlay.Topic);

    private static ConcurrentBag<string> Received(RunningNode node, string topic)
    {
        var bag = new ConcurrentBag<string>();
        node.Overlay.Delivered += d => { if (d.Topic == topic) bag.Add(Encoding.UTF8.GetString(d.Payload)); };
        return bag;
    }

    public void Dispose()
    {
        foreach (var k in _keys) k.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>A topic service that records what its validator saw and ends when the test says so.</summary>
    private sealed class RecordingService(string topic, Func<GossipDelivery, bool> accept) : ITopicService, IGossipValidator
    {
        private readonly TaskCompletionSource<int> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Topic => topic;
        public IGossipValidator Validator => this;
        public ConcurrentBag<string> Validated { get; } = [];
        public bool Started { get; private set; }

        public ValidationResult Validate(GossipDelivery message)
        {
            Validated.Add(Encoding.UTF8.GetString(message.Payload));
            return accept(message) ? ValidationResult.Accept : ValidationResult.Reject;
        }

        public void Finish(int code) => _end.TrySetResult(code);

        public void Fail(Exception e) => _end.TrySetException(e);

        public async Task<int?> RunAsync(RunningNode node, CancellationToken ct)
        {
            Started = true;
            return await _end.Task.WaitAsync(ct);
        }
    }
}
