using P2PNode.Overlay;
using P2PNode.Overlay.Sim;

namespace P2PNode.Core.Tests.Overlay;

// Small simulated networks: the whole overlay (real OverlayNodes, real signatures, real codec) under churn.
public sealed class SimulationTests
{
    private static readonly SimOptions Small = new()
    {
        Nodes = 60,
        Churn = 0.3,
        Messages = 12,
        WarmupMs = 5_000,
        DurationMs = 20_000,
        DrainMs = 5_000,
        Seed = 11,
    };

    [Fact]
    public void PlumtreeDeliversUnderChurnWithFarFewerCopiesThanFlooding()
    {
        var plumtree = OverlaySimulation.Run(Small, BroadcastMode.Plumtree);
        var flood = OverlaySimulation.Run(Small, BroadcastMode.Flood);
        Assert.Equal(18, plumtree.ChurnEvents);
        Assert.True(plumtree.ExpectedDeliveries > 500, $"expected {plumtree.ExpectedDeliveries}");
        Assert.True(plumtree.DeliveryRatio >= 0.999, $"delivery {plumtree.DeliveryRatio}");
        Assert.True(flood.DeliveryRatio >= 0.999, $"flood delivery {flood.DeliveryRatio}");
        // 18 crashes in 20 s among 60 nodes is far harsher than the 500-node target run: bound loosely here.
        Assert.True(plumtree.CopiesPerDelivery < 0.6 * flood.CopiesPerDelivery, $"copies {plumtree.CopiesPerDelivery} vs flood {flood.CopiesPerDelivery}");
        Assert.True(flood.CopiesPerDelivery > 2.5, $"flood copies {flood.CopiesPerDelivery}");
        Assert.Equal(0, plumtree.Counters.GetValueOrDefault("gossip_bad_signature"));
        Assert.Equal(plumtree.Deliveries, plumtree.SignaturesVerified); // every accepted copy was verified once
    }

    [Fact]
    public void LargePayloadsArePulledOnceByEachNodeInsteadOfPushed()
    {
        // No churn: every copy beyond one per delivery is a duplicate of the broadcast itself.
        var steady = Small with { Nodes = 30, Churn = 0, Messages = 10, PayloadBytes = 20_000 };
        var pulled = OverlaySimulation.Run(steady, BroadcastMode.Plumtree);
        var pushed = OverlaySimulation.Run(steady with { Overlay = new OverlayOptions { LazyPushBytes = 0 } }, BroadcastMode.Plumtree);
        Assert.True(pulled.DeliveryRatio >= 0.999 && pushed.DeliveryRatio >= 0.999, $"delivery {pulled.DeliveryRatio} / {pushed.DeliveryRatio}");
        Assert.True(pulled.CopiesPerDelivery <= 1.05, $"pulled copies {pulled.CopiesPerDelivery}");
        Assert.True(pushed.CopiesPerDelivery > pulled.CopiesPerDelivery + 0.1, $"pushed copies {pushed.CopiesPerDelivery} vs pulled {pulled.CopiesPerDelivery}");
        Assert.True(pulled.Counters.GetValueOrDefault("gossip_lazy_announced") > 0);
        Assert.Equal(0, pushed.Counters.GetValueOrDefault("gossip_lazy_announced"));
    }

    [Fact]
    public void TheSameSeedGivesTheSameRun()
    {
        var options = Small with { Nodes = 30, Messages = 5, DurationMs = 10_000 };
        var a = OverlaySimulation.Run(options, BroadcastMode.Plumtree);
        var b = OverlaySimulation.Run(options, BroadcastMode.Plumtree);
        Assert.Equal(a.Counters, b.Counters);
        Assert.Equal(a.FramesByType, b.FramesByType);
        Assert.Equal((a.DeliveredToExpected, a.PayloadCopies, a.HopsP99, a.LatencyP99Ms), (b.DeliveredToExpected, b.PayloadCopies, b.HopsP99, b.LatencyP99Ms));
        var c = OverlaySimulation.Run(options with { Seed = 12 }, BroadcastMode.Plumtree);
        Assert.NotEqual(a.Counters, c.Counters);
    }

    [Fact]
    public void BadOptionsAreRefusedWithTheirName()
    {
        Assert.Contains("--churn", Assert.Throws<ArgumentException>(() => OverlaySimulation.Run(Small with { Churn = 1.5 }, BroadcastMode.Plumtree)).Message);
        Assert.Contains("ReplayWindow", Assert.Throws<ArgumentException>(() =>
            OverlaySimulation.Run(Small with { Overlay = new OverlayOptions { ReplayWindow = 100 } }, BroadcastMode.Plumtree)).Message);
    }
}
