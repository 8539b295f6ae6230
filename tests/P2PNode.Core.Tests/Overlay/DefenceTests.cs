using P2PNode.Overlay;
using P2PNode.Overlay.Broadcast;
using P2PNode.Wire.Gossip;
using static P2PNode.Core.Tests.Overlay.BroadcastTests;
using static P2PNode.Core.Tests.Overlay.OverlayHarness;

namespace P2PNode.Core.Tests.Overlay;

// Bad input: each case is rejected (not delivered, not forwarded), counted, reported as an offence, and the
// node keeps working for honest traffic afterwards.
public sealed class DefenceTests
{
    private sealed class PayloadValidator : IGossipValidator
    {
        public ValidationResult Validate(GossipDelivery m) => m.Payload[0] switch
        {
            0xFF => ValidationResult.Reject,
            0xEE => ValidationResult.Ignore,
            _ => ValidationResult.Accept,
        };
    }

    private static void AssertNothingLeft(OverlayHarness h)
    {
        Assert.Empty(h.Sink.Deliveries);
        Assert.Empty(h.SentOf<GossipMessage>());
    }

    [Fact]
    public void ForgedOriginSignaturesAreRejectedBeforeForwardingAndDoNotPoisonTheSeenCache()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        h.AddNeighbor(2);
        var victim = h.Key(50);
        var genuine = Signed(victim, 1);
        var tampered = genuine with { Payload = [6, 6, 6] };
        var impostor = Signed(h.Key(51), 1) with { Origin = victim.PeerId };
        h.Node.OnMessage(a, tampered, T0);
        h.Node.OnMessage(a, impostor, T0);
        h.Node.OnMessage(a, genuine with { Signature = new byte[64] }, T0);
        AssertNothingLeft(h);
        Assert.Equal(3, h.Metrics.Get("gossip_bad_signature"));
        Assert.Equal(3, h.Sink.Offences.Count(o => o == (a, OverlayOffence.BadSignature)));
        // The genuine message with the same id as the zero-signature forgery still gets through.
        h.Node.OnMessage(a, genuine, T0);
        Assert.Single(h.Sink.Deliveries);
    }

    [Fact]
    public void ReplaysAreRejectedByTheSequenceWindowEvenAfterTheSeenCacheForgets()
    {
        using var h = new OverlayHarness(new OverlayOptions { SeenCacheCapacity = 1 });
        var a = h.AddNeighbor(1);
        var origin = h.Key(50);
        var m1 = Signed(origin, 1);
        h.Node.OnMessage(a, m1, T0);
        h.Node.OnMessage(a, Signed(origin, 2), T0); // pushes m1's id out of the tiny seen-cache
        Assert.Equal(2, h.Sink.Deliveries.Count);
        h.Sink.Clear();
        h.Node.OnMessage(a, m1, T0 + 10);
        // Same origin and sequence, another payload: equivocation, also refused.
        h.Node.OnMessage(a, Signed(origin, 2, payload: [7]), T0 + 10);
        AssertNothingLeft(h);
        Assert.Equal(2, h.Metrics.Get("gossip_replay"));
        Assert.All(h.Sink.Offences, o => Assert.Equal(OverlayOffence.Replay, o.Offence));
        h.Node.OnMessage(a, Signed(origin, 3), T0 + 20);
        Assert.Single(h.Sink.Deliveries);
    }

    [Fact]
    public void StaleAndFutureTimestampsAreRejected()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        h.AddNeighbor(2);
        var age = (long)h.Node.Options.MaxMessageAge.TotalMilliseconds;
        var skew = (long)h.Node.Options.MaxClockSkew.TotalMilliseconds;
        h.Node.OnMessage(a, Signed(h.Key(50), 1, ts: T0 - age - 1), T0);
        h.Node.OnMessage(a, Signed(h.Key(50), 2, ts: T0 + skew + 1), T0);
        AssertNothingLeft(h);
        Assert.Equal(2, h.Metrics.Get("gossip_stale"));
        h.Node.OnMessage(a, Signed(h.Key(50), 3, ts: T0 - age + 1), T0);
        Assert.Single(h.Sink.Deliveries);
    }

    [Fact]
    public void OversizedAnnouncementsAndPayloadsAreRejected()
    {
        using var h = new OverlayHarness(new OverlayOptions { MaxIHaveIds = 4, MaxPayloadBytes = 100 });
        var a = h.AddNeighbor(1);
        h.AddNeighbor(2);
        var ids = Enumerable.Range(1, 5).Select(i => new IHaveEntry(new MessageId((ulong)i, 0, 0, 0), 1)).ToList();
        h.Node.OnMessage(a, new IHave(ids), T0);
        Assert.Equal(0, h.Node.MissingCount);
        h.Node.OnMessage(a, new Graft(ids.Select(e => e.Id).ToList()), T0);
        h.Node.OnMessage(a, Signed(h.Key(50), 1, payload: new byte[101]), T0);
        AssertNothingLeft(h);
        Assert.Equal(1, h.Metrics.Get("gossip_ihave_oversized"));
        Assert.Equal(1, h.Metrics.Get("gossip_graft_oversized"));
        Assert.Equal(1, h.Metrics.Get("gossip_oversized"));
        Assert.Equal(3, h.Sink.Offences.Count(o => o.Offence == OverlayOffence.Oversized));
        h.Node.OnMessage(a, new IHave(ids.Take(4).ToList()), T0);
        Assert.Equal(4, h.Node.MissingCount);
    }

    [Fact]
    public void AnIHaveFloodCannotGrowTheMissingTableBeyondItsBound()
    {
        using var h = new OverlayHarness(new OverlayOptions { MaxMissingTracked = 3 });
        var a = h.AddNeighbor(1);
        h.Node.OnMessage(a, new IHave(Enumerable.Range(1, 5).Select(i => new IHaveEntry(new MessageId((ulong)i, 0, 0, 0), 1)).ToList()), T0);
        Assert.Equal(3, h.Node.MissingCount);
        Assert.Equal(2, h.Metrics.Get("gossip_missing_dropped"));
    }

    [Fact]
    public void TheApplicationVerdictDecidesDeliveryAndForwarding()
    {
        using var h = new OverlayHarness(validator: new PayloadValidator());
        var a = h.AddNeighbor(1);
        h.AddNeighbor(2);
        h.Node.OnMessage(a, Signed(h.Key(50), 1, payload: [0xFF]), T0);
        h.Node.OnMessage(a, Signed(h.Key(50), 2, payload: [0xEE]), T0);
        AssertNothingLeft(h);
        Assert.Equal(1, h.Metrics.Get("gossip_rejected"));
        Assert.Equal(1, h.Metrics.Get("gossip_ignored"));
        Assert.Equal([(a, OverlayOffence.Rejected)], h.Sink.Offences);
        h.Node.OnMessage(a, Signed(h.Key(50), 3, payload: [1]), T0);
        Assert.Single(h.Sink.Deliveries);
        Assert.Single(h.SentOf<GossipMessage>());
    }

    [Fact]
    public void AnOldMessageBelowTheWindowIsDroppedWithoutChargingTheHonestPeerThatSentIt()
    {
        using var h = new OverlayHarness(new OverlayOptions { ReplayWindow = 64 });
        var a = h.AddNeighbor(1);
        var origin = h.Key(50);
        h.Node.OnMessage(a, Signed(origin, 1000), T0); // a fresh node's first message of this origin is a recent one
        h.Sink.Clear();
        h.Node.OnMessage(a, Signed(origin, 900), T0 + 10); // an older one, never seen here, sent by repair
        AssertNothingLeft(h);
        Assert.Empty(h.Sink.Offences);
        Assert.Equal(1, h.Metrics.Get("gossip_below_window"));
        Assert.Equal(0, h.Metrics.Get("gossip_replay"));
    }

    [Fact]
    public void TheReplayWindowSlides()
    {
        var w = new ReplayWindow(64, 2);
        using var h = new OverlayHarness();
        var o = h.Key(1).PeerId;
        Assert.True(w.TryAccept(o, 100, 0));
        Assert.False(w.TryAccept(o, 100, 0));
        Assert.True(w.TryAccept(o, 90, 0));   // late but inside the window
        Assert.False(w.TryAccept(o, 90, 0));
        Assert.True(w.TryAccept(o, 200, 0));  // jump: the window moves
        Assert.False(w.TryAccept(o, 136, 0)); // now too far behind
        Assert.True(w.TryAccept(o, 137, 0));
        Assert.True(w.TryAccept(o, 199, 0));
        // A third origin evicts the least recently active one, keeping memory bounded.
        Assert.True(w.TryAccept(h.Key(2).PeerId, 5, 1));
        Assert.True(w.TryAccept(h.Key(3).PeerId, 5, 2));
        Assert.Equal(2, w.TrackedOrigins);
    }
}
