using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Wire;
using P2PNode.Wire.Ledger;

namespace P2PNode.Ledger.Sync;

/// <summary>
/// Replicates every author's log between this node's <see cref="LedgerStore"/> and its peers over direct
/// sessions (docs/ledger.md, "Replication protocol"): exchanges latest tree heads, fetches missing ranges with a
/// consistency proof, ingests them (the store verifies everything), witnesses the heads it checked and spreads
/// cosignatures and equivocation evidence. One per node. Every refusal is counted in <see cref="NodeMetrics"/>
/// (names <c>ledger_*</c>) with its precise reason kept in <see cref="RecentRefusals"/> and the log; nothing
/// refused reaches the store. Partial files: .Heads (exchange and witnessing), .Fetch (ranges), .Evidence.
/// </summary>
public sealed partial class LedgerSync : IAsyncDisposable
{
    private const int RecentRefusalCount = 64;

    private readonly NodeHost _host;
    private IDisposable? _registration;
    private readonly LedgerStore _store;
    private readonly NodeIdentity _identity;
    private readonly byte[] _me;
    private readonly LedgerSyncOptions _options;
    private readonly ILogger _log;
    // One gate for all sync state: handlers are short and synchronous (store calls, TrySend), so sessions
    // simply take turns; the store has its own lock for everyone else.
    private readonly Lock _gate = new();
    private readonly Queue<string> _recentRefusals = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _headsOffset;
    private int _inFlight;
    private long _ticks;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<PeerSession, Dictionary<string, ulong>> _sentHeads = new();

    public LedgerSync(NodeHost host, LedgerStore store, NodeIdentity identity, LedgerSyncOptions? options, ILogger log)
    {
        _host = host;
        _store = store;
        _identity = identity;
        _me = identity.PublicKey;
        _options = options ?? new LedgerSyncOptions();
        if (_options.MaxConcurrentFetches < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxConcurrentFetches must be at least 1");
        if (_options.EntriesPerRequest is < 1 or > LedgerLimits.MaxEntriesPerMessage)
            throw new ArgumentOutOfRangeException(nameof(options), $"EntriesPerRequest must be 1..{LedgerLimits.MaxEntriesPerMessage}");
        _log = log;
        foreach (var e in store.GetEvidence()) Seen(e);
    }

    public NodeMetrics Metrics => _host.Metrics;
    public LedgerStore Store => _store;

    /// <summary>The last refusals (newest last), each "peer: reason": what the counters count, in words.</summary>
    public IReadOnlyList<string> RecentRefusals
    {
        get { lock (_recentRefusals) return _recentRefusals.ToList(); }
    }

    /// <summary>Hooks into the host (every session, present and future) and starts the heads timer.</summary>
    public void Start()
    {
        _registration = _host.Register(MessageTypeRange.Ledger, OnMessageAsync);
        _host.SessionStarted += OnSessionStarted;
        _host.SessionEnded += OnSessionEnded;
        foreach (var s in _host.Sessions) OnSessionStarted(s);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Publishes a head over the own log if it grew and sends all heads to every peer now (the timer does
    /// this every <see cref="LedgerSyncOptions.HeadsInterval"/>; call it right after appending to spread faster).</summary>
    public void AnnounceNow()
    {
        var message = BuildHeads();
        var full = Interlocked.Increment(ref _ticks) % Math.Max(1, _options.FullHeadsEvery) == 0; // the timer and callers after an append
        foreach (var s in _host.Sessions) SendHeads(s, message, full);
        ExpireFetches();
    }

    /// <summary>
    /// Sends a peer the heads that grew since it was last sent them, or all of them when <paramref name="full"/>:
    /// a heads message with every author and its cosignatures is kilobytes per peer per tick, and an 8-node run
    /// spent more bytes on repeating it than on its model deltas. New cosignatures alone wait for the full message
    /// (each witness pushes its own at once); it also repairs anything a peer missed (a dropped send).
    /// </summary>
    private void SendHeads(PeerSession session, LedgerHeads message, bool full)
    {
        var sent = _sentHeads.GetOrAdd(session, _ => new Dictionary<string, ulong>(StringComparer.Ordinal));
        List<LedgerHeadItem> items;
        lock (sent)
        {
            items = message.Heads.Where(i => full || !sent.TryGetValue(Convert.ToHexStringLower(i.Head.Author), out var size)
                || size != i.Head.Size).ToList();
            foreach (var i in items) sent[Convert.ToHexStringLower(i.Head.Author)] = i.Head.Size;
        }
        if (items.Count > 0) Send(session, items.Count == message.Heads.Count ? message : new LedgerHeads(items));
    }

    private async Task LoopAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(_options.HeadsInterval);
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try { AnnounceNow(); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Metrics.Increment("ledger_internal_error");
                    _log.HeadsTickFailed(e);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private void OnSessionStarted(PeerSession session)
    {
        try
        {
            SendHeads(session, BuildHeads(), full: true);
            foreach (var e in _store.GetEvidence().Take(_options.MaxEvidenceOnConnect)) Send(session, new LedgerEvidence(e));
        }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            Metrics.Increment("ledger_internal_error");
            _log.GreetingFailed(e, session.RemotePeer.Short);
        }
    }

    private void OnSessionEnded(PeerSession session)
    {
        _sentHeads.TryRemove(session, out _);
        lock (_gate)
        {
            foreach (var (author, f) in _fetches.Where(kv => kv.Value.Peer == session).ToList())
                _fetches.Remove(author);
            foreach (var (author, w) in _wanted.Where(kv => kv.Value.Peer == session).ToList())
                _wanted.Remove(author);
            StartWanted();
        }
    }

    private ValueTask OnMessageAsync(PeerSession session, WireMessage message)
    {
        // A handler already running when the node shuts down finishes before DisposeAsync returns, so the store is
        // never used after its owner closed it (that used to log "Cannot access a disposed object" on exit).
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (_stop.IsCancellationRequested) return ValueTask.CompletedTask;
            switch (message)
            {
                case LedgerHeads m: OnHeads(session, m); break;
                case GetLedgerEntries m: OnGetEntries(session, m); break;
                case LedgerEntries m: OnEntries(session, m); break;
                case LedgerCosignature m: OnCosignature(session, m); break;
                case LedgerEvidence m: OnEvidence(session, m); break;
                case LedgerUnavailable m: OnUnavailable(session, m); break;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug or an I/O fault must not take the session's receive loop down with it.
            Metrics.Increment("ledger_internal_error");
            _log.LedgerMessageFailed(e, message.Type, session.RemotePeer.Short);
        }
        finally { Interlocked.Decrement(ref _inFlight); }
        return ValueTask.CompletedTask;
    }

    /// <summary>Counts a refusal under <paramref name="counter"/> and keeps its reason.</summary>
    private void Refuse(PeerSession? session, string counter, string reason)
    {
        Metrics.Increment(counter);
        var text = $"{session?.RemotePeer.Short ?? "local"}: {reason}";
        lock (_recentRefusals)
        {
            _recentRefusals.Enqueue(text);
            while (_recentRefusals.Count > RecentRefusalCount) _recentRefusals.Dequeue();
        }
        _log.SyncRefused(counter, text);
    }

    private void Send(PeerSession session, WireMessage message)
    {
        if (!session.TrySend(message)) Metrics.Increment("ledger_send_dropped");
    }

    private void Broadcast(WireMessage message, PeerSession? except = null)
    {
        var frame = WireCodec.Encode(message);
        foreach (var s in _host.Sessions)
            if (s != except && !s.TrySendFrame(frame)) Metrics.Increment("ledger_send_dropped");
    }

    private bool IsMe(byte[] author) => author.AsSpan().SequenceEqual(_me);

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    private static string Short(byte[] author) => Convert.ToHexStringLower(author)[..12];

    public async ValueTask DisposeAsync()
    {
        _registration?.Dispose();
        _host.SessionStarted -= OnSessionStarted;
        _host.SessionEnded -= OnSessionEnded;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        while (Volatile.Read(ref _inFlight) > 0) await Task.Delay(5).ConfigureAwait(false);
        _stop.Dispose();
    }
}
