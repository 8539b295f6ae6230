using Microsoft.Extensions.Logging;
using P2PNode.Config;
using P2PNode.Identity;
using P2PNode.Ledger.Storage;
using P2PNode.Ledger.Sync;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Overlay;
using P2PNode.Peers.Scoring;

namespace P2PNode.Hosting;

/// <summary>
/// A node assembled and started by <see cref="NodeBuilder"/>: host, overlay, defences, relay, port mapping and, when
/// asked for, the replicated ledger, with its topic services running. Disposing it shuts down in the one order that
/// works: services and loops are told to stop, the host says goodbye to every peer (Disconnect Shutdown, "gone",
/// rather than the overlay's Detach, "alive, not your neighbour"), the overlay stops, the port mapping is deleted,
/// and only once every service has returned are the ledger and the stores closed, so nothing is written half.
/// </summary>
public sealed class RunningNode : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly TaskCompletionSource<int> _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _loops = [];
    // Disposed last, in reverse order of creation (stores, relay, metrics file).
    private readonly Stack<object> _owned = new();
    private int _disposed;

    internal RunningNode(NodeOptions options, CancellationToken ct)
    {
        Config = options.Config;
        Identity = options.Identity;
        Agent = options.Agent;
        Metrics = options.Metrics;
        Log = options.Log;
        Output = TextWriter.Synchronized(options.Output);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public NodeConfig Config { get; }
    public NodeIdentity Identity { get; }
    public PeerId PeerId => Identity.PeerId;
    public string Agent { get; }
    public NodeMetrics Metrics { get; }
    public ILogger Log { get; }
    public TextWriter Output { get; }
    public NodeHost Host { get; internal set; } = null!;
    public OverlayService Overlay { get; internal set; } = null!;
    public IReadOnlyList<string> ListenAddresses => Host.ListenAddresses;

    /// <summary>The address peers are told to dial: the listen address, the port mapping's, or a relayed one.</summary>
    public string AdvertisedAddress { get; internal set; } = "";

    /// <summary>Where peers say they see this node (their Hellos), for the external address.</summary>
    public AddressBook Addresses { get; internal set; } = new();

    /// <summary>The ledger and its replication, when <see cref="NodeOptions.Ledger"/> asked for them.</summary>
    public LedgerStore? Ledger { get; internal set; }
    public LedgerSync? LedgerSync { get; internal set; }

    internal NodeDefence? Defence { get; set; }
    internal NodePortMapping? PortMapping { get; set; }
    internal CancellationToken Stopping => _stop.Token;

    /// <summary>Counts <paramref name="offence"/> against <paramref name="peer"/>'s score when scoring is on
    /// (a bad chunk, a contribution that does not decode).</summary>
    public void ReportOffence(PeerId peer, Offence offence, string what) => Defence?.Report(peer, offence, what);

    /// <summary>One machine-readable line on <see cref="Output"/>, flushed at once (scripts and the swarm wait on them).</summary>
    public void Say(string line)
    {
        Output.WriteLine(line);
        Output.Flush();
    }

    /// <summary>Asks the node's owner to stop it with <paramref name="exitCode"/>; the first request wins.</summary>
    public void RequestStop(int exitCode) => _stopRequested.TrySetResult(exitCode);

    /// <summary>Waits until a service asks the node to stop (its exit code) or <paramref name="ct"/> is cancelled (0).</summary>
    public async Task<int> WaitAsync(CancellationToken ct)
    {
        try { return await _stopRequested.Task.WaitAsync(ct); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return 0; }
    }

    /// <summary>Takes <paramref name="item"/> (IDisposable or IAsyncDisposable) to dispose at the end; null is nothing.</summary>
    internal T Own<T>(T item)
    {
        if (item is not null) _owned.Push(item);
        return item;
    }

    internal void Loop(Func<CancellationToken, Task> loop) => _loops.Add(Task.Run(() => loop(_stop.Token), CancellationToken.None));

    internal void StartService(ITopicService service) => Loop(async ct =>
    {
        try
        {
            if (await service.RunAsync(this, ct) is { } code) RequestStop(code);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e)
        {
            // A service is expected to report its own failures; one that throws still stops the node with status 1.
            Log.ServiceFailed(e, service.Topic);
            RequestStop(1);
        }
    });

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync();
        if (Host is not null) await Host.StopAsync();
        if (Overlay is not null) await Overlay.DisposeAsync();
        if (PortMapping is not null) await PortMapping.DisposeAsync(); // bounded: a vanished gateway cannot hold up the exit
        await Task.WhenAll(_loops);
        if (LedgerSync is not null) await LedgerSync.DisposeAsync();
        Ledger?.Dispose();
        while (_owned.TryPop(out var owned))
        {
            if (owned is IAsyncDisposable a) await a.DisposeAsync();
            else (owned as IDisposable)?.Dispose();
        }
        _stop.Dispose();
    }
}
