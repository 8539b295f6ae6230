using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Peers.Scoring;
using P2PNode.Transport;
using P2PNode.Wire;
using P2PNode.Wire.Transfer;

namespace P2PNode.Transfer;

/// <summary>
/// Content-addressed transfer on a <see cref="NodeHost"/> (message types 64..79): serves manifests and chunks
/// from its <see cref="IChunkStore"/>, remembers who announced what (Have), matches responses to requests by
/// request id, and fetches objects through <see cref="ObjectFetcher"/>. Offences go to <see cref="OffenceDetected"/>.
/// </summary>
public sealed class TransferService : IAsyncDisposable
{
    private readonly NodeHost _host;
    private readonly IDisposable _registration;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<PeerId, PeerSession> _sessions = new();
    private readonly ConcurrentDictionary<ulong, (PeerId Peer, TaskCompletionSource<WireMessage> Reply)> _pending = new();
    // Who announced what, and when this node received their Have (their promise holds for PromiseWindow).
    private readonly ConcurrentDictionary<ObjectId, ConcurrentDictionary<PeerId, DateTimeOffset>> _holders = new();
    // When this node last announced each object it holds, and the objects its owner no longer needs.
    private readonly ConcurrentDictionary<ObjectId, DateTimeOffset> _announcedAt = new();
    private readonly ConcurrentDictionary<ObjectId, byte> _released = new();
    private readonly ConcurrentQueue<ObjectId> _holderOrder = new();
    private long _nextRequest;

    public TransferService(NodeHost host, IChunkStore store, TransferOptions options, ILogger log)
    {
        _host = host;
        Store = store;
        Options = options;
        _log = log;
        host.SessionStarted += OnSessionStarted;
        host.SessionEnded += OnSessionEnded;
        _registration = host.Register(MessageTypeRange.Transfer, OnMessageAsync);
        // A service started on a running node serves the sessions that are already up, too.
        foreach (var s in host.Sessions) OnSessionStarted(s);
    }

    public IChunkStore Store { get; }
    public TransferOptions Options { get; }

    /// <summary>A peer misbehaved in a transfer (already counted and logged). Peer scoring attaches here.</summary>
    public event Action<PeerId, Offence>? OffenceDetected;

    /// <summary>Peers that announced <paramref name="id"/> and are connected now.</summary>
    public IReadOnlyList<PeerId> HoldersOf(ObjectId id) =>
        _holders.TryGetValue(id, out var set) ? set.Keys.Where(_sessions.ContainsKey).ToList() : [];

    /// <summary><paramref name="peer"/> announced <paramref name="id"/> recently enough that a NotFound from it is a broken promise.</summary>
    internal bool Announced(PeerId peer, ObjectId id) =>
        _holders.TryGetValue(id, out var set) && set.TryGetValue(peer, out var at) && Options.Clock.GetUtcNow() - at <= Options.PromiseWindow;
    internal bool IsConnected(PeerId peer) => _sessions.ContainsKey(peer);

    /// <summary>Tells every connected peer this node holds <paramref name="manifest"/>'s object (it must be complete).</summary>
    public void Announce(Manifest manifest)
    {
        if (!Store.IsComplete(manifest.Id)) throw new InvalidOperationException($"object {manifest.Id} is not complete in the store: announcing it would be a broken promise");
        _announcedAt[manifest.Id] = Options.Clock.GetUtcNow();
        _released.TryRemove(manifest.Id, out _); // announced again: needed again
        foreach (var s in _sessions.Values) s.TrySend(new Have(manifest.Id, (ulong)manifest.Size));
        DropReleased();
    }

    /// <summary>
    /// The owner no longer needs <paramref name="id"/> (an old round's model): it is dropped from the store once
    /// <see cref="TransferOptions.HaveLifetime"/> has passed since this node last announced it, so a peer that
    /// fetches it on the strength of that Have still finds it. Without this every model a node ever served stayed
    /// in memory for the whole run. Announcing it again takes it back.
    /// </summary>
    public void Release(ObjectId id)
    {
        _released[id] = 0;
        DropReleased();
    }

    /// <summary>Objects released and not yet dropped (their Have still binds).</summary>
    public int ReleasedHeld => _released.Count;

    private void DropReleased()
    {
        var now = Options.Clock.GetUtcNow();
        foreach (var id in _released.Keys)
        {
            if (_announcedAt.TryGetValue(id, out var at) && now - at < Options.HaveLifetime) continue;
            if (!_released.TryRemove(id, out _)) continue;
            _announcedAt.TryRemove(id, out _);
            Store.Remove(id);
            _host.Metrics.Increment("transfer_objects_dropped");
        }
    }

    /// <summary>Fetches the object from <paramref name="sources"/> (default: connected peers that announced it),
    /// verifying every chunk; completes when the whole object is in the store.</summary>
    public Task<FetchResult> FetchAsync(ObjectId id, IReadOnlyList<PeerId>? sources, CancellationToken ct) =>
        new ObjectFetcher(this).FetchAsync(id, sources ?? HoldersOf(id), ct);

    /// <summary>Sends a request and waits for its response; null when not connected, dropped or timed out.</summary>
    internal async Task<WireMessage?> RequestAsync(PeerId peer, Func<ulong, WireMessage> make, CancellationToken ct)
    {
        if (!_sessions.TryGetValue(peer, out var session)) return null;
        var id = (ulong)Interlocked.Increment(ref _nextRequest);
        var reply = new TaskCompletionSource<WireMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = (peer, reply);
        try
        {
            if (!session.TrySend(make(id))) return null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.RequestTimeout);
            try { return await reply.Task.WaitAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                _host.Metrics.Increment("transfer_request_timeout");
                return null;
            }
        }
        finally { _pending.TryRemove(id, out _); }
    }

    internal void Report(PeerId peer, Offence offence, string detail)
    {
        _host.Metrics.Increment("transfer_offence_" + TransportException.ToSnake(offence.ToString()));
        _log.TransferOffence(peer.Short, offence, detail);
        OffenceDetected?.Invoke(peer, offence);
    }

    private void OnSessionStarted(PeerSession s) => _sessions[s.RemotePeer] = s;

    private void OnSessionEnded(PeerSession s)
    {
        if (_sessions.TryGetValue(s.RemotePeer, out var current) && current == s) _sessions.TryRemove(s.RemotePeer, out _);
    }

    private ValueTask OnMessageAsync(PeerSession s, WireMessage message)
    {
        // A message can overtake SessionStarted (the session reads before the event is raised).
        if (!s.Completion.IsCompleted) _sessions.TryAdd(s.RemotePeer, s);
        switch (message)
        {
            case Have h: Remember(s.RemotePeer, h.Id); break;
            case GetManifest g:
                s.TrySend(Store.GetManifest(g.Id) is { } m ? new ManifestMessage(g.RequestId, m.Bytes) : new NotFound(g.RequestId, g.Id));
                _host.Metrics.Increment("transfer_manifests_served");
                break;
            case GetChunk g:
                var data = Store.GetChunk(g.Id, (int)g.Index);
                s.TrySend(data is null ? new NotFound(g.RequestId, g.Id) : new Chunk(g.RequestId, g.Id, g.Index, data));
                _host.Metrics.Increment(data is null ? "transfer_chunks_not_found" : "transfer_chunks_served");
                break;
            case ManifestMessage r: Complete(s.RemotePeer, r.RequestId, r); break;
            case Chunk r: Complete(s.RemotePeer, r.RequestId, r); break;
            case NotFound r: Complete(s.RemotePeer, r.RequestId, r); break;
        }
        return ValueTask.CompletedTask;
    }

    private void Remember(PeerId peer, ObjectId id)
    {
        var set = _holders.GetOrAdd(id, _ =>
        {
            _holderOrder.Enqueue(id);
            return new ConcurrentDictionary<PeerId, DateTimeOffset>();
        });
        if (set.Count < Options.MaxHoldersPerObject || set.ContainsKey(peer)) set[peer] = Options.Clock.GetUtcNow();
        while (_holders.Count > Options.MaxTrackedObjects && _holderOrder.TryDequeue(out var oldest)) _holders.TryRemove(oldest, out _);
    }

    private void Complete(PeerId from, ulong requestId, WireMessage reply)
    {
        // Only the peer asked may answer: anything else is late (after a timeout) or unsolicited; counted, not scored,
        // because a slow honest peer produces late answers too.
        if (_pending.TryGetValue(requestId, out var p) && p.Peer == from) p.Reply.TrySetResult(reply);
        else _host.Metrics.Increment("transfer_unsolicited_response");
    }

    public ValueTask DisposeAsync()
    {
        _host.SessionStarted -= OnSessionStarted;
        _host.SessionEnded -= OnSessionEnded;
        _registration.Dispose();
        foreach (var p in _pending.Values) p.Reply.TrySetCanceled();
        return ValueTask.CompletedTask;
    }
}
