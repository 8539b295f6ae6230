using P2PNode.Overlay;
using P2PNode.Wire.Gossip;
using static P2PNode.Core.Tests.Overlay.OverlayHarness;

namespace P2PNode.Core.Tests.Overlay;

// HyParView driven as a state machine: messages in, recorded actions out, no network, no clock.
public sealed class MembershipTests
{
    [Fact]
    public void JoiningConnectsToAContactAndSendsJoinOnceConnected()
    {
        using var h = new OverlayHarness();
        var contact = h.Key(1).PeerId;
        h.Node.Start([new PeerAddress(contact, AddressOf(1))], T0);
        Assert.Equal((contact, AddressOf(1)), h.Sink.Connects.Single());
        Assert.Empty(h.Sink.Sent);
        h.Node.OnConnected(contact, T0 + 50);
        Assert.Equal(h.Node.Address, h.Sink.SentOf<Join>(contact).Single().Address);
        Assert.Equal([contact], h.Node.ActiveView);
        Assert.Equal([contact], h.Node.EagerPeers);
    }

    [Fact]
    public void AContactTakesTheJoinerAndForwardsJoinToItsOtherNeighbours()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        h.Sink.Clear();
        var joiner = h.Key(3).PeerId;
        h.Node.OnConnected(joiner, T0);
        h.Node.OnMessage(joiner, new Join(AddressOf(3)), T0);
        Assert.Contains(joiner, h.Node.ActiveView);
        foreach (var n in new[] { a, b })
        {
            var fj = h.SentOf<ForwardJoin>(n).Single();
            Assert.Equal(joiner, fj.NewPeer);
            Assert.Equal(h.Node.Options.ActiveRandomWalkLength, fj.Ttl);
        }
        Assert.Empty(h.SentOf<ForwardJoin>(joiner));
    }

    [Fact]
    public void AForwardJoinWalkEndsInANeighbourRequestAndStopsAtPrwlInThePassiveView()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        var newcomer = h.Key(9).PeerId;
        h.Sink.Clear();
        // Mid-walk at ttl = PRWL: forwarded with ttl-1 to a neighbour other than the sender, and kept as passive.
        h.Node.OnMessage(a, new ForwardJoin(newcomer, AddressOf(9), h.Node.Options.PassiveRandomWalkLength), T0);
        Assert.Equal(h.Node.Options.PassiveRandomWalkLength - 1, h.SentOf<ForwardJoin>(b).Single().Ttl);
        Assert.Contains(newcomer, h.Node.PassiveView);
        // At ttl 0 the walk ends here: connect to the newcomer and ask it, high priority.
        h.Sink.Clear();
        h.Node.OnMessage(a, new ForwardJoin(newcomer, AddressOf(9), 0), T0);
        Assert.Equal((newcomer, AddressOf(9)), h.Sink.Connects.Single());
        h.Node.OnConnected(newcomer, T0 + 10);
        Assert.True(h.SentOf<Neighbor>(newcomer).Single().HighPriority);
        h.Node.OnMessage(newcomer, new NeighborReply(true), T0 + 20);
        Assert.Contains(newcomer, h.Node.ActiveView);
        Assert.DoesNotContain(newcomer, h.Node.PassiveView);
    }

    [Fact]
    public void AFullActiveViewRefusesLowPriorityAndEvictsForHighPriority()
    {
        using var h = new OverlayHarness(new OverlayOptions { ActiveViewSize = 2 });
        h.AddNeighbor(1);
        h.AddNeighbor(2);
        var low = h.Key(3).PeerId;
        h.Sink.Clear();
        h.Node.OnConnected(low, T0);
        h.Node.OnMessage(low, new Neighbor(false, AddressOf(3)), T0);
        Assert.False(h.SentOf<NeighborReply>(low).Single().Accepted);
        Assert.DoesNotContain(low, h.Node.ActiveView);
        Assert.Contains(low, h.Node.PassiveView);

        var high = h.Key(4).PeerId;
        h.Node.OnConnected(high, T0);
        h.Node.OnMessage(high, new Neighbor(true, AddressOf(4)), T0);
        Assert.True(h.SentOf<NeighborReply>(high).Single().Accepted);
        Assert.Equal(2, h.Node.ActiveView.Count);
        Assert.Contains(high, h.Node.ActiveView);
        // The evicted neighbour was told (Detach: alive, keep me passive), disconnected, and kept as passive.
        var evicted = h.Sink.Sent.Single(s => s.Message is Detach).Peer;
        Assert.Contains(evicted, h.Sink.Disconnects);
        Assert.Contains(evicted, h.Node.PassiveView);
    }

    [Fact]
    public void AFailedNeighbourIsReplacedFromThePassiveView()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var spare = h.Key(5).PeerId;
        h.Node.OnMessage(a, new ShuffleReply([new PeerAddress(spare, AddressOf(5))]), T0);
        Assert.Contains(spare, h.Node.PassiveView);
        h.Sink.Clear();
        h.Node.OnDisconnected(a, T0 + 1000);
        Assert.Empty(h.Node.ActiveView);
        Assert.DoesNotContain(a, h.Node.PassiveView); // failed, not merely detached
        h.Node.OnTimer(T0 + 1000);
        Assert.Equal((spare, AddressOf(5)), h.Sink.Connects.Single());
        h.Node.OnConnected(spare, T0 + 1100);
        Assert.True(h.SentOf<Neighbor>(spare).Single().HighPriority); // no neighbour left: cannot be refused
        h.Node.OnMessage(spare, new NeighborReply(true), T0 + 1200);
        Assert.Equal([spare], h.Node.ActiveView);
    }

    [Theory]
    [InlineData(1, true)]  // one link: a single failure from isolation, so it may not be refused
    [InlineData(2, false)] // two links: an ordinary request that a full view may refuse
    public void APromotionIsHighPriorityBelowTwoNeighbours(int neighbours, bool high)
    {
        using var h = new OverlayHarness();
        var first = h.AddNeighbor(1);
        for (var i = 2; i <= neighbours; i++) h.AddNeighbor(i);
        var spare = h.Key(9).PeerId;
        h.Node.OnMessage(first, new ShuffleReply([new PeerAddress(spare, AddressOf(9))]), T0);
        h.Sink.Clear();
        h.Node.OnTimer(T0 + 1000);
        Assert.Equal(spare, h.Sink.Connects.Single().Peer);
        h.Node.OnConnected(spare, T0 + 1100);
        Assert.Equal(high, h.SentOf<Neighbor>(spare).Single().HighPriority);
    }

    [Fact]
    public void RefusalsInARowBackOffExponentiallyUpToTheCapAndALostNeighbourResetsIt()
    {
        var options = new OverlayOptions { PromoteBackoff = TimeSpan.FromMilliseconds(500), PromoteBackoffMax = TimeSpan.FromSeconds(4) };
        using var h = new OverlayHarness(options);
        var first = h.AddNeighbor(1);
        h.AddNeighbor(2); // two neighbours: requests are low priority and may be refused
        var full = h.Key(9).PeerId;
        h.Node.OnMessage(first, new ShuffleReply([new PeerAddress(full, AddressOf(9))]), T0);
        var now = T0 + 1000;
        var waits = new List<long>();
        for (var refusal = 0; refusal < 6; refusal++)
        {
            // Ask (the timer runs every 200 ms until the backoff allows a request), be refused, note the wait.
            var asked = now;
            h.Sink.Clear();
            while (h.Sink.Connects.Count == 0) h.Node.OnTimer(now += 100);
            waits.Add(now - asked);
            Assert.Equal(full, h.Sink.Connects.Single().Peer);
            h.Node.OnConnected(full, now);
            Assert.False(h.SentOf<Neighbor>(full).Single().HighPriority);
            h.Node.OnMessage(full, new NeighborReply(false), now);
            h.Node.OnDisconnected(full, now);
        }
        // First request at once; then 0.5, 1, 2, 4 s and the 4 s cap (to the timer's 100 ms step; the
        // housekeeping runs every 200 ms).
        Assert.Equal([0, 500, 1000, 2000, 4000, 4000], waits.Select(w => w / 500 * 500).ToList());
        // A neighbour fails: the replacement is looked for at once, not after the last backoff.
        h.Node.OnDisconnected(first, now + 10);
        h.Sink.Clear();
        h.Node.OnTimer(now + 300);
        Assert.Equal(full, h.Sink.Connects.Single().Peer);
    }

    [Fact]
    public void ADeadPassivePeerIsDroppedWhenItsDialFails()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var dead = h.Key(6).PeerId;
        h.Node.OnMessage(a, new ShuffleReply([new PeerAddress(dead, AddressOf(6))]), T0);
        h.Node.OnTimer(T0 + 1000);
        Assert.Equal(dead, h.Sink.Connects.Single().Peer);
        h.Node.OnDisconnected(dead, T0 + 1100); // the dial failed
        Assert.DoesNotContain(dead, h.Node.PassiveView);
        Assert.Equal(1, h.Metrics.Get("overlay_dial_failed"));
    }

    [Fact]
    public void DetachMovesANeighbourToThePassiveView()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        h.Node.OnMessage(a, new Detach(), T0);
        Assert.Empty(h.Node.ActiveView);
        Assert.Contains(a, h.Node.PassiveView);
        Assert.Empty(h.Node.EagerPeers);
    }

    [Fact]
    public void AShuffleEndingHereIsAnsweredFromThePassiveViewAndIntegrated()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var p = h.Key(7).PeerId;
        h.Node.OnMessage(a, new ShuffleReply([new PeerAddress(p, AddressOf(7))]), T0);
        var origin = h.Key(8).PeerId;
        var offered = h.Key(9).PeerId;
        h.Sink.Clear();
        // Only one neighbour, so the walk ends here whatever its ttl; the origin is not connected: dial it.
        h.Node.OnMessage(a, new Shuffle(origin, AddressOf(8), 3, [new PeerAddress(origin, AddressOf(8)), new PeerAddress(offered, AddressOf(9))]), T0);
        Assert.Equal(origin, h.Sink.Connects.Single().Peer);
        h.Node.OnConnected(origin, T0 + 10);
        var reply = h.SentOf<ShuffleReply>(origin).Single();
        Assert.Equal([p], reply.Entries.Select(e => e.Peer));
        Assert.Contains(origin, h.Sink.Disconnects); // a temporary connection
        Assert.Contains(offered, h.Node.PassiveView);
        Assert.Contains(origin, h.Node.PassiveView);
    }

    [Fact]
    public void AStrayConnectionIsClosedAfterTheGrace()
    {
        using var h = new OverlayHarness();
        var stranger = h.Key(4).PeerId;
        h.Node.OnConnected(stranger, T0);
        h.Node.OnTimer(T0 + 1000);
        Assert.Empty(h.Sink.Disconnects);
        h.Node.OnTimer(T0 + (long)h.Node.Options.StrayConnectionGrace.TotalMilliseconds + 1000);
        Assert.Equal([stranger], h.Sink.Disconnects);
        Assert.Single(h.SentOf<Detach>(stranger));
    }

    [Fact]
    public void WalkTtlsAreClampedToOurOwnLengths()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        h.Sink.Clear();
        h.Node.OnMessage(a, new ForwardJoin(h.Key(9).PeerId, AddressOf(9), GossipLimits.MaxWalkTtl), T0);
        Assert.Equal(h.Node.Options.ActiveRandomWalkLength - 1, h.SentOf<ForwardJoin>(b).Single().Ttl);
    }
}
