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
