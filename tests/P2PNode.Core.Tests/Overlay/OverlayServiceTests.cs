using P2PNode.TestSupport;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Overlay;
using P2PNode.Peers;
using P2PNode.Transport;
using P2PNode.Wire;
using P2PNode.Wire.Gossip;

namespace P2PNode.Core.Tests.Overlay;

// The overlay on real NodeHosts and sessions over the in-memory transport (everything above the socket).
public sealed class OverlayServiceTests : IAsyncLifetime
{
    private const string Topic = "run/service-test";

    private static readonly OverlayOptions Fast = new()
    {
        TickInterval = TimeSpan.FromMilliseconds(20),
        IHaveTimeout = TimeSpan.FromMilliseconds(150),
        GraftRetryTimeout = TimeSpan.FromMilliseconds(100),
        ShuffleInterval = TimeSpan.FromSeconds(1),
        PromoteBackoff = TimeSpan.FromMilliseconds(100),
        JoinRetryInterval = TimeSpan.FromMilliseconds(300),
    };

    private readonly MemoryNetwork _network = new();
    private readonly List<(NodeHost Host, OverlayService Overlay, NodeIdentity Id)> _nodes = [];
    private readonly ConcurrentDictionary<(int Node, MessageId Id), int> _received = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (host, overlay, id) in _nodes)
        {
            await overlay.DisposeAsync();
            await host.DisposeAsync();
            id.Dispose();
        }
    }

    private async Task<int> StartNodeAsync(IReadOnlyList<int> bootstrap, IGossipValidator? validator = null)
    {
        var id = NodeIdentity.Generate();
        var host = new NodeHost(id, new MemoryTransport(id.PeerId, _network), new TransportOptions(), new NodeMetrics(), NullLogger.Instance)
        {
            Capabilities = ["gossip/1"],
        };
        var address = (await host.StartAsync(default))[0];
        var overlay = new OverlayService(host, id, address, Fast, NullLogger.Instance, validator);
        overlay.Subscribe(Topic);
        var index = _nodes.Count;
        overlay.Delivered += d => _received.AddOrUpdate((index, d.Id), 1, (_, n) => n + 1);
        _nodes.Add((host, overlay, id));
        overlay.Start(bootstrap.Select(b => new PeerAddress(_nodes[b].Id.PeerId, _nodes[b].Host.ListenAddresses[0])).ToList());
        return index;
    }

    private bool AllDelivered(MessageId id, IEnumerable<int> nodes) => nodes.All(n => _received.ContainsKey((n, id)));

    [Fact]
    public async Task OneBroadcastReachesTwentyNodesAndTheRestStillDeliverAfterFourStop()
    {
        var rng = new Random(3);
        await StartNodeAsync([]);
        for (var i = 1; i < 20; i++) await StartNodeAsync(Enumerable.Range(0, i).OrderBy(_ => rng.Next()).Take(3).ToList());
        await Eventually.UntilAsync(() => _nodes.All(n => n.Overlay.ActiveView.Count >= 2), "every node to have neighbours");

        var all = Enumerable.Range(0, 20).ToList();
        var first = _nodes[7].Overlay.Publish(Topic, "round 1 delta"u8.ToArray());
        await Eventually.UntilAsync(() => AllDelivered(first, all.Where(n => n != 7)), "the first broadcast to reach all 19 other nodes");

        var stopped = new[] { 0, 3, 11, 16 };
        foreach (var s in stopped)
        {
            await _nodes[s].Overlay.DisposeAsync();
            await _nodes[s].Host.StopAsync();
        }
        var alive = all.Except(stopped).ToList();
        var second = _nodes[12].Overlay.Publish(Topic, "round 2 delta"u8.ToArray());
        await Eventually.UntilAsync(() => AllDelivered(second, alive.Where(n => n != 12)), "the second broadcast to reach the 15 remaining nodes");

        Assert.All(_received.Values, count => Assert.Equal(1, count)); // each node delivered each message once
        Assert.All(stopped, s => Assert.False(_received.ContainsKey((s, second))));
        await Eventually.UntilAsync(() => alive.All(n => !_nodes[n].Overlay.ActiveView.Intersect(stopped.Select(s => _nodes[s].Id.PeerId)).Any()),
            "stopped nodes to leave every active view");
    }

    [Fact]
    public async Task ForgedAndMalformedGossipFromARealSessionIsRejectedAndCounted()
    {
        var a = await StartNodeAsync([]);
        var b = await StartNodeAsync([a]);
        await Eventually.UntilAsync(() => _nodes[a].Overlay.ActiveView.Count == 1, "a and b to be neighbours");

        // A raw peer speaks to node a directly: a forged message and a malformed one.
        using var raw = NodeIdentity.Generate();
        var transport = new MemoryTransport(raw.PeerId, _network);
        await using var conn = await transport.DialAsync(_nodes[a].Host.ListenAddresses[0], null, default);
        await conn.SendAsync([WireCodec.Encode(new Hello(ProtocolVersion.Major, 0, raw.PeerId.ToString(), [], ["gossip/1"], "raw/1", "mem:x"))], default);
        using var victim = NodeIdentity.Generate();
        var forged = GossipSignature.Sign(raw, Topic, 1, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [1]) with { Origin = victim.PeerId };
        await conn.SendAsync([WireCodec.Encode(forged), Convert.FromHexString("9120")], default);

        var metrics = _nodes[a].Host.Metrics;
        await Eventually.UntilAsync(() => metrics.Get("gossip_bad_signature") == 1 && metrics.Get("malformed_message") == 1, "both to be counted");
        Assert.DoesNotContain(_received.Keys, k => k.Node == b);

        // Honest traffic still flows afterwards.
        var ok = _nodes[a].Overlay.Publish(Topic, [42]);
        await Eventually.UntilAsync(() => _received.ContainsKey((b, ok)), "an honest broadcast after the attack");
    }

    [Fact]
    public async Task WhenBothSidesDialAtOnceBothKeepTheSessionDialledByTheSmallerPeerId()
    {
        // docs/protocol.md §3.5 (issue 12, item 8): the other session is closed with DuplicateConnection, and both
        // sides agree which one survives without exchanging anything about it.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var (a, b) = (await StartNodeAsync([]), await StartNodeAsync([]));
            var (na, nb) = (_nodes[a], _nodes[b]);
            var dialled = await Task.WhenAll(
                Task.Run(() => na.Host.ConnectAsync(nb.Host.ListenAddresses[0], nb.Id.PeerId, default)),
                Task.Run(() => nb.Host.ConnectAsync(na.Host.ListenAddresses[0], na.Id.PeerId, default)));
            List<PeerSession> Open(NodeHost h) => h.Sessions.Where(x => !x.Completion.IsCompleted).ToList();
            var smaller = na.Id.PeerId.CompareTo(nb.Id.PeerId) < 0 ? na : nb;
            var larger = smaller == na ? nb : na;
            string State() => $"smaller: [{string.Join(", ", smaller.Host.Sessions.Select(x => (x.IsInbound ? "in" : "out") + (x.Completion.IsCompleted ? "/closed" : "")))}], "
                + $"larger: [{string.Join(", ", larger.Host.Sessions.Select(x => (x.IsInbound ? "in" : "out") + (x.Completion.IsCompleted ? "/closed" : "")))}]";
            bool Agreed() => Open(smaller.Host) is [{ IsInbound: false }] && Open(larger.Host) is [{ IsInbound: true }];
            // Closes travel: wait for the agreed state (a wrong rule never reaches it), then check that it stays.
            await Eventually.UntilAsync(Agreed, "agreement on the surviving session", TimeSpan.FromSeconds(10), State);
            await Task.Delay(300);
            Assert.True(Agreed(), "the agreed session did not last: " + State());
            // The loser is the session the larger id dialled; it ends as DuplicateConnection.
            var lost = dialled[larger == na ? 0 : 1];
            Assert.True(lost.Completion.IsCompleted, "the larger id's dialled session is still open: " + State());
            Assert.Equal(DisconnectReason.DuplicateConnection, lost.EndReason);
            Assert.False(dialled[larger == na ? 1 : 0].Completion.IsCompleted);
        }
    }

    [Fact]
    public async Task ABroadcastIsEncodedOnceAndTheSameFrameGoesToEveryNeighbour()
    {
        var hub = await StartNodeAsync([]);
        for (var i = 0; i < 3; i++) await StartNodeAsync([hub]);
        await Eventually.UntilAsync(() => _nodes[hub].Overlay.ActiveView.Count == 3, "the hub to have three neighbours");

        var id = _nodes[hub].Overlay.Publish(Topic, new byte[1000]); // under LazyPushBytes: pushed to the eager neighbours
        await Eventually.UntilAsync(() => AllDelivered(id, [1, 2, 3]), "the broadcast to reach the three neighbours");

        var metrics = _nodes[hub].Host.Metrics;
        Assert.Equal(3, metrics.Get("gossip_sent"));
        Assert.Equal(1, metrics.Get("gossip_frames_encoded")); // one encoding per peer was 3
    }

    private sealed class PreparingValidator : IGossipValidator
    {
        public int Prepared, PreparedSeenInValidate, Validated;

        public object? Prepare(string topic, PeerId origin, byte[] payload)
        {
            Interlocked.Increment(ref Prepared);
            return payload.Length;
        }

        public ValidationResult Validate(GossipDelivery message)
        {
            Interlocked.Increment(ref Validated);
            if (message.Prepared is int n && n == message.Payload.Length) Interlocked.Increment(ref PreparedSeenInValidate);
            return ValidationResult.Accept;
        }
    }

    [Fact]
    public async Task TheValidatorsStatelessPartRunsBeforeTheLockAndItsResultReachesValidate()
    {
        var validator = new PreparingValidator();
        var a = await StartNodeAsync([]);
        var b = await StartNodeAsync([a], validator);
        await Eventually.UntilAsync(() => _nodes[a].Overlay.ActiveView.Count == 1, "a and b to be neighbours");
        var id = _nodes[a].Overlay.Publish(Topic, new byte[77]);
        await Eventually.UntilAsync(() => _received.ContainsKey((b, id)), "the broadcast to reach b");
        Assert.Equal(1, validator.Validated);
        Assert.Equal(1, validator.PreparedSeenInValidate);
        Assert.Equal(1, validator.Prepared);
    }
}
