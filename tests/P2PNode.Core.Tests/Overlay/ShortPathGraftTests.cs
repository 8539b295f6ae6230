using P2PNode.Identity;
using P2PNode.Overlay;
using P2PNode.Wire.Gossip;
using static P2PNode.Core.Tests.Overlay.BroadcastTests;
using static P2PNode.Core.Tests.Overlay.OverlayHarness;

namespace P2PNode.Core.Tests.Overlay;

// The hop-aware early graft (OverlayOptions.ShortPathGraftMargin): an announcer clearly closer to the origin than
// this node's usual tree paths is grafted after ShortPathGraftTimeout, any other after IHaveTimeout.
public sealed class ShortPathGraftTests
{
    private sealed class IgnoreAll : IGossipValidator
    {
        public ValidationResult Validate(GossipDelivery message) => ValidationResult.Ignore;
    }

    // Node whose first copies all came with 8 hops (running average 8), with `a` eager and `b` lazy.
    private static (OverlayHarness H, PeerId A, PeerId B) DeepNode(OverlayOptions? options = null, IGossipValidator? validator = null)
    {
        var h = new OverlayHarness(options, validator);
        var a = h.AddNeighbor(1);
        var b = h.AddNeighbor(2);
        h.Node.OnMessage(b, new Prune(), T0);
        for (ulong s = 1; s <= 4; s++) h.Node.OnMessage(a, Signed(h.Key(50), s, hops: 8), T0);
        h.Sink.Clear();
        return (h, a, b);
    }

    [Fact]
    public void AClearlyCloserAnnouncerIsGraftedEarly()
    {
        var (h, _, b) = DeepNode();
        using var _h = h;
        var id = GossipSignature.IdOf(Signed(h.Key(51), 1));
        var early = (long)h.Node.Options.ShortPathGraftTimeout.TotalMilliseconds;
        h.Node.OnMessage(b, new IHave([new IHaveEntry(id, 8 - h.Node.Options.ShortPathGraftMargin)]), T0 + 10);
        h.Node.OnTimer(T0 + 10 + early - 1);
        Assert.Empty(h.SentOf<Graft>());
        h.Node.OnTimer(T0 + 10 + early);
        Assert.Equal([id], h.SentOf<Graft>(b).Single().Ids);
        Assert.Contains(b, h.Node.EagerPeers);
    }

    [Fact]
    public void AnAnnouncerNotClearlyCloserWaitsForTheNormalTimeout()
    {
        var (h, _, b) = DeepNode();
        using var _h = h;
        var id = GossipSignature.IdOf(Signed(h.Key(51), 1));
        h.Node.OnMessage(b, new IHave([new IHaveEntry(id, 8 - h.Node.Options.ShortPathGraftMargin + 1)]), T0 + 10);
        h.Node.OnTimer(T0 + 10 + (long)h.Node.Options.IHaveTimeout.TotalMilliseconds - 1);
        Assert.Empty(h.SentOf<Graft>());
        h.Node.OnTimer(T0 + 10 + (long)h.Node.Options.IHaveTimeout.TotalMilliseconds);
        Assert.Single(h.SentOf<Graft>(b));
    }

    [Fact]
    public void MarginZeroDisablesTheEarlyGraft()
    {
        var (h, _, b) = DeepNode(new OverlayOptions { ShortPathGraftMargin = 0 });
        using var _h = h;
        var id = GossipSignature.IdOf(Signed(h.Key(51), 1));
        h.Node.OnMessage(b, new IHave([new IHaveEntry(id, 1)]), T0 + 10);
        h.Node.OnTimer(T0 + 10 + (long)h.Node.Options.IHaveTimeout.TotalMilliseconds - 1);
        Assert.Empty(h.SentOf<Graft>());
    }

    [Fact]
    public void CopiesTheApplicationDidNotAcceptDoNotCountTowardTheAverage()
    {
        var (h, _, b) = DeepNode(validator: new IgnoreAll());
        using var _h = h;
        var id = GossipSignature.IdOf(Signed(h.Key(51), 1));
        h.Node.OnMessage(b, new IHave([new IHaveEntry(id, 1)]), T0 + 10);
        h.Node.OnTimer(T0 + 10 + (long)h.Node.Options.IHaveTimeout.TotalMilliseconds - 1);
        Assert.Empty(h.SentOf<Graft>());
    }

    [Fact]
    public void AnEarlyGraftTimeoutAboveIHaveTimeoutIsRejected()
    {
        var o = new OverlayOptions { IHaveTimeout = TimeSpan.FromMilliseconds(100), ShortPathGraftTimeout = TimeSpan.FromMilliseconds(101) };
        Assert.Contains("ShortPathGraftTimeout", Assert.Throws<ArgumentException>(o.Validate).Message);
    }
}
