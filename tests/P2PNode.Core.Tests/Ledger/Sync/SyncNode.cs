using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NSec.Cryptography;
using P2PNode.Identity;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Ledger.Sync;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Transport;

namespace P2PNode.Core.Tests.Ledger.Sync;

/// <summary>A real node for sync tests: identity, SQLite ledger in a temp dir, NodeHost on a transport, LedgerSync.</summary>
internal sealed class SyncNode : IAsyncDisposable
{
    public static readonly LedgerSyncOptions Fast = new() { HeadsInterval = TimeSpan.FromMilliseconds(150), EntriesPerRequest = 3 };

    private SyncNode(NodeIdentity id, TempLedger ledger, NodeHost host, LedgerSync sync)
    {
        Id = id;
        Ledger = ledger;
        Host = host;
        Sync = sync;
    }

    public NodeIdentity Id { get; }
    public TempLedger Ledger { get; }
    public NodeHost Host { get; }
    public LedgerSync Sync { get; }
    public LedgerStore Store => Ledger.Store;
    public NodeMetrics Metrics => Host.Metrics;
    public string Address => Host.ListenAddresses[0];
    public byte[] Author => Id.PublicKey;

    public static Task<SyncNode> StartMemoryAsync(MemoryNetwork network, LedgerSyncOptions? options = null)
    {
        var id = NodeIdentity.Generate();
        return StartAsync(id, new MemoryTransport(id.PeerId, network), new TransportOptions(), options);
    }

    public static async Task<SyncNode> StartAsync(NodeIdentity id, ITransport transport, TransportOptions transportOptions, LedgerSyncOptions? options = null)
    {
        var ledger = new TempLedger();
        var host = new NodeHost(id, transport, transportOptions, new NodeMetrics(), NullLogger.Instance) { Capabilities = ["ledger/1"] };
        await host.StartAsync(default);
        var sync = new LedgerSync(host, ledger.Store, id, options ?? Fast, NullLogger.Instance);
        sync.Start();
        return new SyncNode(id, ledger, host, sync);
    }

    public Task ConnectAsync(SyncNode other) => Host.ConnectAsync(other.Address, other.Id.PeerId, default);

    public async ValueTask DisposeAsync()
    {
        await Sync.DisposeAsync();
        await Host.DisposeAsync();
        Ledger.Dispose();
        Id.Dispose();
    }
}
