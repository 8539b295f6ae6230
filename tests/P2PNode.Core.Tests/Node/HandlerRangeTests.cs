using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.TestSupport;
using P2PNode.Transfer;
using P2PNode.Transport;
using P2PNode.Wire.Transfer;
using P2PNode.Wire;

namespace P2PNode.Core.Tests.Node;

/// <summary>NodeHost.Register: each component owns a declared message-type range; overlaps are refused.</summary>
public sealed class HandlerRangeTests
{
    private static NodeHost NewHost(MemoryNetwork network, NodeIdentity id) =>
        new(id, new MemoryTransport(id.PeerId, network), new TransportOptions(), new NodeMetrics(), NullLogger.Instance);

    [Fact]
    public async Task OverlappingRangesAreRefused()
    {
        await using var host = NewHost(new MemoryNetwork(), NodeIdentity.Generate());
        using var transfer = host.Register(MessageTypeRange.Transfer, (_, _) => ValueTask.CompletedTask);
        var e = Assert.Throws<InvalidOperationException>(() => host.Register(new MessageTypeRange(79, 80), (_, _) => ValueTask.CompletedTask));
        Assert.Contains("64-79", e.Message);
        using var ledger = host.Register(MessageTypeRange.Ledger, (_, _) => ValueTask.CompletedTask); // adjacent: fine
    }

    [Fact]
    public async Task DisposingTheRegistrationFreesTheRange()
    {
        await using var host = NewHost(new MemoryNetwork(), NodeIdentity.Generate());
        host.Register(MessageTypeRange.Relay, (_, _) => ValueTask.CompletedTask).Dispose();
        using var again = host.Register(MessageTypeRange.Relay, (_, _) => ValueTask.CompletedTask);
    }

    [Fact]
    public void DeclaredRangesDoNotOverlap()
    {
        MessageTypeRange[] all = [MessageTypeRange.Overlay, MessageTypeRange.Transfer, MessageTypeRange.Ledger, MessageTypeRange.Relay];
        for (var i = 0; i < all.Length; i++)
            for (var j = i + 1; j < all.Length; j++)
                Assert.False(all[i].Overlaps(all[j]), $"{all[i]} overlaps {all[j]}");
    }

    [Fact]
    public async Task MessagesReachOnlyTheHandlerOfTheirRange()
    {
        var network = new MemoryNetwork();
        NodeIdentity aId = NodeIdentity.Generate(), bId = NodeIdentity.Generate();
        await using var a = NewHost(network, aId);
        await using var b = NewHost(network, bId);
        var transfer = new TaskCompletionSource<WireMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ledgerCalls = 0;
        using var t = b.Register(MessageTypeRange.Transfer, (_, m) => { transfer.TrySetResult(m); return ValueTask.CompletedTask; });
        using var l = b.Register(MessageTypeRange.Ledger, (_, _) => { Interlocked.Increment(ref ledgerCalls); return ValueTask.CompletedTask; });
        await a.StartAsync(default);
        await b.StartAsync(default);
        var session = await a.ConnectAsync(b.ListenAddresses[0], bId.PeerId, default);
        var have = new Have(new ObjectId(1, 2, 3, 4), 10);
        Assert.True(session.TrySend(have));
        Assert.Equal(have, await transfer.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, Volatile.Read(ref ledgerCalls));
    }
}
