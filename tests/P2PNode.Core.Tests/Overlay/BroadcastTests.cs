using P2PNode.Identity;
using P2PNode.Overlay;
using P2PNode.Wire.Gossip;
using static P2PNode.Core.Tests.Overlay.OverlayHarness;

namespace P2PNode.Core.Tests.Overlay;

// Plumtree driven as a state machine.
public sealed class BroadcastTests
{
    internal static GossipMessage Signed(NodeIdentity origin, ulong seq, long ts = T0, string topic = Topic, byte[]? payload = null, uint hops = 1) =>
        GossipSignature.Sign(origin, topic, seq, (ulong)ts, payload ?? [1, 2, 3]) with { Hops = hops };

    [Fact]
    public void AFirstCopyIsDeliveredPushedEagerlyAndAnnouncedLazily()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        var c = h.AddNeighbor(3);
        h.Node.OnMessage(c, new Prune(), T0);
        Assert.Contains(c, h.Node.LazyPeers);
        h.Sink.Clear();

        var m = Signed(h.Key(50), 1, hops: 2);
        h.Node.OnMessage(a, m, T0);
        var d = h.Sink.Deliveries.Single();
        Assert.Equal((Topic, 2u, a), (d.Topic, d.Hops, d.From));
        Assert.Equal(GossipSignature.IdOf(m), d.Id);
        Assert.Equal(3u, h.SentOf<GossipMessage>(b).Single().Hops);
        Assert.Empty(h.SentOf<GossipMessage>(a));
        Assert.Empty(h.SentOf<GossipMessage>(c));
        Assert.Empty(h.SentOf<IHave>(c)); // batched until the tick
        h.Node.OnTimer(T0 + 50);
        Assert.Equal(new IHaveEntry(d.Id, 3), h.SentOf<IHave>(c).Single().Entries.Single());
    }

    [Fact]
    public void ALargePayloadIsAnnouncedToEveryNeighbourAndPulledAtOnceFromAnEagerOne()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        var c = h.AddNeighbor(3);
        h.Node.OnMessage(c, new Prune(), T0);
        h.Sink.Clear();

        // Relaying: no eager push; an IHAVE to the eager and the lazy neighbour alike, without waiting for the tick.
        var large = Signed(h.Key(50), 1, payload: new byte[h.Node.Options.LazyPushBytes + 1], hops: 2);
        h.Node.OnMessage(a, large, T0);
        Assert.Single(h.Sink.Deliveries);
        Assert.Empty(h.SentOf<GossipMessage>());
        var id = GossipSignature.IdOf(large);
        Assert.Equal(new IHaveEntry(id, 3), h.SentOf<IHave>(b).Single().Entries.Single());
        Assert.Equal(new IHaveEntry(id, 3), h.SentOf<IHave>(c).Single().Entries.Single());
        Assert.Empty(h.SentOf<IHave>(a));

        // Pulling: an eager neighbour's IHAVE is grafted at once (no copy is on its way); a lazy one's waits.
        var next = GossipSignature.IdOf(Signed(h.Key(51), 1, payload: new byte[h.Node.Options.LazyPushBytes + 1]));
        var fromLazy = GossipSignature.IdOf(Signed(h.Key(52), 1));
        h.Sink.Clear();
        h.Node.OnMessage(c, new IHave([new IHaveEntry(fromLazy, 2)]), T0 + 1);
        Assert.Empty(h.SentOf<Graft>());
        h.Node.OnMessage(b, new IHave([new IHaveEntry(next, 2)]), T0 + 1);
        Assert.Equal([next], h.SentOf<Graft>(b).Single().Ids);
        // The copy arrives: served by a GRAFT, it is delivered and not pruned as a duplicate.
        h.Node.OnMessage(b, Signed(h.Key(51), 1, payload: new byte[h.Node.Options.LazyPushBytes + 1], hops: 3), T0 + 5);
        Assert.Equal(next, h.Sink.Deliveries.Single().Id);
        Assert.Empty(h.SentOf<Prune>());
        Assert.Equal(1, h.Node.MissingCount); // only the lazy announcement is still pending
    }

    [Fact]
    public void ADuplicatePrunesTheLinkItCameOn()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        var m = Signed(h.Key(50), 1);
        h.Node.OnMessage(a, m, T0);
        h.Sink.Clear();
        h.Node.OnMessage(b, m with { Hops = 2 }, T0 + 5);
        Assert.Empty(h.Sink.Deliveries);
        Assert.Single(h.SentOf<Prune>(b));
        Assert.Contains(b, h.Node.LazyPeers);
        Assert.Contains(a, h.Node.EagerPeers);
        Assert.Equal(1, h.Metrics.Get("gossip_duplicate"));
    }

    [Fact]
    public void AMissingMessageIsGraftedFromTheClosestAnnouncerAfterTheTimeout()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        h.Node.OnMessage(a, new Prune(), T0);
        h.Node.OnMessage(b, new Prune(), T0);
        var m = Signed(h.Key(50), 1);
        var id = GossipSignature.IdOf(m);
        h.Sink.Clear();
        h.Node.OnMessage(a, new IHave([new IHaveEntry(id, 5)]), T0);
        h.Node.OnMessage(b, new IHave([new IHaveEntry(id, 3)]), T0 + 10);
        var timeout = (long)h.Node.Options.IHaveTimeout.TotalMilliseconds;
        h.Node.OnTimer(T0 + timeout - 1);
        Assert.Empty(h.SentOf<Graft>());
        h.Node.OnTimer(T0 + timeout);
        Assert.Equal([id], h.SentOf<Graft>(b).Single().Ids); // 3 hops beats 5
        Assert.Contains(b, h.Node.EagerPeers);
        // No answer: the next announcer is grafted after the retry timeout.
        h.Node.OnTimer(T0 + timeout + (long)h.Node.Options.GraftRetryTimeout.TotalMilliseconds);
        Assert.Equal([id], h.SentOf<Graft>(a).Single().Ids);
        // The message arrives: nothing more is pending.
        h.Node.OnMessage(a, m with { Hops = 6 }, T0 + 900);
        Assert.Single(h.Sink.Deliveries);
        Assert.Equal(0, h.Node.MissingCount);
    }

    [Fact]
    public void AGraftIsAnsweredFromTheCacheAndGraftsTheLink()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        h.Node.OnMessage(a, new Prune(), T0);
        var id = h.Node.Publish(Topic, [9, 9], T0);
        Assert.Empty(h.SentOf<GossipMessage>(a));
        h.Node.OnMessage(a, new Graft([id]), T0 + 100);
        var sent = h.SentOf<GossipMessage>(a).Single();
        Assert.True(GossipSignature.Verify(sent, out var sentId));
        Assert.Equal(id, sentId);
        Assert.Equal(1u, sent.Hops);
        Assert.Contains(a, h.Node.EagerPeers);
    }

    [Fact]
    public void PublishSignsAndPushesToEveryEagerNeighbour()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        var id = h.Node.Publish(Topic, [1], T0);
        var id2 = h.Node.Publish(Topic, [1], T0);
        Assert.NotEqual(id, id2); // same payload, new sequence number
        foreach (var p in new[] { a, b })
        {
            var sent = h.SentOf<GossipMessage>(p);
            Assert.Equal(2, sent.Count);
            Assert.All(sent, s => Assert.Equal(h.Identity.PeerId, s.Origin));
            Assert.True(GossipSignature.Verify(sent[0], out var got) && got == id);
            Assert.Equal(sent[0].Sequence + 1, sent[1].Sequence); // consecutive, so late copies stay inside replay windows
            Assert.Equal((ulong)T0 * 1000, sent[0].Sequence);
        }
        Assert.Empty(h.Sink.Deliveries); // a node does not deliver its own messages
    }

    [Fact]
    public void FloodModeForwardsToEveryNeighbourAndNeverPrunes()
    {
        using var h = new OverlayHarness(new OverlayOptions { Mode = BroadcastMode.Flood });
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        var c = h.AddNeighbor(3);
        var m = Signed(h.Key(50), 1);
        h.Node.OnMessage(a, m, T0);
        h.Node.OnMessage(b, m, T0);
        Assert.Single(h.SentOf<GossipMessage>(b));
        Assert.Single(h.SentOf<GossipMessage>(c));
        Assert.Empty(h.SentOf<Prune>());
        h.Node.OnTimer(T0 + 100);
        Assert.Empty(h.SentOf<IHave>());
    }

    [Fact]
    public void UnsubscribedTopicsAreRelayedButNotDelivered()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        h.Node.OnMessage(a, Signed(h.Key(50), 1, topic: "run/other"), T0);
        Assert.Empty(h.Sink.Deliveries);
        Assert.Single(h.SentOf<GossipMessage>(b));

        using var strict = new OverlayHarness(new OverlayOptions { RelayUnsubscribedTopics = false });
        var a2 = strict.AddNeighbor(1);
        var b2 = strict.AddNeighbor(2);
        strict.Node.OnMessage(a2, Signed(strict.Key(50), 1, topic: "run/other"), T0);
        Assert.Empty(strict.SentOf<GossipMessage>(b2));
        Assert.Equal(1, strict.Metrics.Get("gossip_ignored"));
    }

    [Fact]
    public void ALazyPeerWithAClearlyShorterPathReplacesTheTreeLink()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        h.Node.OnMessage(b, new Prune(), T0);
        var m = Signed(h.Key(50), 1, hops: 8);
        h.Node.OnMessage(a, m, T0);
        h.Sink.Clear();
        h.Node.OnMessage(b, new IHave([new IHaveEntry(GossipSignature.IdOf(m), 8 - h.Node.Options.OptimizationThreshold)]), T0 + 60);
        Assert.Single(h.SentOf<Graft>(b));
        Assert.Single(h.SentOf<Prune>(a));
        Assert.Contains(b, h.Node.EagerPeers);
        Assert.Contains(a, h.Node.LazyPeers);
    }
}
