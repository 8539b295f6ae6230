using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers.Scoring;
using P2PNode.Transfer;
using P2PNode.Transport;

namespace P2PNode.Core.Tests.Transfer;

/// <summary>Real NodeHosts with TransferServices over the in-memory transport.</summary>
internal sealed class TransferTestKit : IAsyncDisposable
{
    private readonly MemoryNetwork _network = new();
    public List<(NodeHost Host, TransferService Transfer, NodeIdentity Id)> Nodes { get; } = [];
    public ConcurrentQueue<(PeerId Reporter, PeerId Peer, Offence Offence)> Offences { get; } = new();

    // A request timeout drops that peer from the fetch and reports it: a stalled machine must not make an
    // honest seeder look mute, so only the test about a mute peer uses the shorter timeout.
    public static readonly TransferOptions Patient = new() { RequestTimeout = TimeSpan.FromSeconds(20), MaxInFlightPerPeer = 2 };
    public static readonly TransferOptions MutePeer = Patient with { RequestTimeout = TimeSpan.FromSeconds(5) };

    /// <summary>Options for the transfer services started from now on.</summary>
    public TransferOptions Options { get; set; } = Patient;

    public async Task<int> StartAsync(IChunkStore store)
    {
        var id = NodeIdentity.Generate();
        var host = new NodeHost(id, new MemoryTransport(id.PeerId, _network), new TransportOptions(), new NodeMetrics(), NullLogger.Instance);
        await host.StartAsync(default);
        var transfer = new TransferService(host, store, Options, NullLogger.Instance);
        transfer.OffenceDetected += (peer, o) => Offences.Enqueue((id.PeerId, peer, o));
        Nodes.Add((host, transfer, id));
        return Nodes.Count - 1;
    }

    public async Task ConnectAsync(int from, int to)
    {
        await Nodes[from].Host.ConnectAsync(Nodes[to].Host.ListenAddresses[0], Nodes[to].Id.PeerId, default);
        await Eventually.UntilAsync(() => Nodes[to].Host.Sessions.Any(s => s.RemotePeer == Nodes[from].Id.PeerId), "inbound session");
    }

    public static byte[] Data(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (host, transfer, id) in Nodes)
        {
            await transfer.DisposeAsync();
            await host.DisposeAsync();
            id.Dispose();
        }
    }
}
