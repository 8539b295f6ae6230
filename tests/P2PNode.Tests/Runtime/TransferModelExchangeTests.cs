using P2PNode.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Training.Participation;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Transfer;
using P2PNode.Transport;

namespace P2PNode.Tests.Runtime;

/// <summary>A node keeps serving its last <see cref="TransferModelExchange.Kept"/> models and states and releases
/// older ones, instead of keeping every model of the run in memory.</summary>
public sealed class TransferModelExchangeTests
{
    [Fact]
    public async Task OnlyTheLastSixteenOffersStayHeldOnceTheirHavesStopBinding()
    {
        var clock = new ManualClock();
        using var id = NodeIdentity.Generate();
        await using var host = new NodeHost(id, new MemoryTransport(id.PeerId, new MemoryNetwork()), new TransportOptions(), new NodeMetrics(), NullLogger.Instance);
        await host.StartAsync(default);
        await using var transfer = new TransferService(host, new MemoryChunkStore(), new TransferOptions { Clock = clock }, NullLogger.Instance);
        var exchange = new TransferModelExchange(transfer);
        var ids = new List<ObjectId>();
        byte[] Model(int round) => [.. BitConverter.GetBytes(round), .. new byte[1000]];
        for (var round = 0; round < 20; round++)
        {
            ids.Add(exchange.Offer(Model(round)));
            exchange.Offer(Model(0)); // offered every round (a model unchanged since round 0): always kept
            clock.Advance(TimeSpan.FromSeconds(30));
        }
        // 20 distinct objects: rounds 1-4's fell past the 16 kept and were released, but were announced 8 to 9.5
        // minutes ago: still served.
        Assert.Equal(4, transfer.ReleasedHeld);
        Assert.All(ids, o => Assert.True(transfer.Store.IsComplete(o)));
        clock.Advance(TimeSpan.FromMinutes(5.75)); // round 1's Have is now 15.25 minutes old, round 2's 14.75
        exchange.Offer(Model(0));
        Assert.Null(transfer.Store.GetManifest(ids[1]));
        Assert.All(ids.Where((_, i) => i != 1), o => Assert.True(transfer.Store.IsComplete(o)));
        Assert.Equal(3, transfer.ReleasedHeld);
        Assert.Equal(1, host.Metrics.Get("transfer_objects_dropped"));
    }
}
