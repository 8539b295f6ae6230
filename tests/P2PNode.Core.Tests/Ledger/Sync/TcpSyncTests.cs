using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using static P2PNode.Core.Tests.Ledger.Sync.SyncKit;

namespace P2PNode.Core.Tests.Ledger.Sync;

// The basic two-node sync over real TCP + Noise on 127.0.0.1, both nodes in this process.
public sealed class TcpSyncTests
{
    private static readonly TransportOptions Options = new() { Listen = ["127.0.0.1:0"], HandshakeTimeout = TimeSpan.FromSeconds(5) };

    private static Task<SyncNode> StartAsync()
    {
        var id = NodeIdentity.Generate();
        return SyncNode.StartAsync(id, new TcpTransport(id, Options, new NodeMetrics(), NullLogger.Instance), Options);
    }

    [Fact]
    public async Task TwoNodesOverTcpReplicateEachOthersLogAndWitnessIt()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        AppendLog(a.Store, a.Id.SigningKey, 8, "a");
        AppendLog(b.Store, b.Id.SigningKey, 4, "b");
        Assert.StartsWith("127.0.0.1:", a.Address);
        await a.ConnectAsync(b);
        await Eventually.UntilAsync(() => HoldsLogOf(a.Store, b) && HoldsLogOf(b.Store, a)
            && WitnessesOf(a.Store, a.Author) == 1 && WitnessesOf(b.Store, b.Author) == 1, "two-way replication and witnessing over TCP");
        Assert.Equal(8, b.Store.Size(a.Author));
        Assert.Equal(4, a.Store.Size(b.Author));
        Assert.True(Audit(a.Store).Valid);
        Assert.True(Audit(b.Store).Valid);
    }
}
