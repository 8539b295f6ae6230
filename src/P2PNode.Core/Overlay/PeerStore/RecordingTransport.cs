using P2PNode.Identity;
using P2PNode.Transport;

namespace P2PNode.Overlay.PeerStore;

/// <summary>
/// A transport that tells the peer store about outbound dials: an authenticated dial records the dialled
/// address as seen, a failed dial to a known peer id counts a failure. Every overlay dial (joins, repairs,
/// shuffles) goes through here, so the store learns which remembered peers are gone. Dials that fail because
/// the node is shutting down are not counted.
/// </summary>
public sealed class RecordingTransport(ITransport inner, SqlitePeerStore store, TimeProvider? time = null) : ITransport
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private volatile bool _stopped;

    public Task<IReadOnlyList<string>> ListenAsync(Func<IFrameConnection, Task> onInbound, CancellationToken ct) => inner.ListenAsync(onInbound, ct);

    public async Task<IFrameConnection> DialAsync(string address, PeerId? expected, CancellationToken ct)
    {
        IFrameConnection connection;
        try
        {
            connection = await inner.DialAsync(address, expected, ct).ConfigureAwait(false);
        }
        catch (Exception) when (expected is not null && !_stopped && !ct.IsCancellationRequested)
        {
            Record(() => store.Failed(expected));
            throw;
        }
        if (!_stopped) Record(() => store.Seen(connection.RemotePeer, address, _time.GetUtcNow().ToUnixTimeMilliseconds()));
        return connection;
    }

    /// <summary>Store writes that failed (disk full, file removed, an unstorable address); dials go on regardless.</summary>
    public int StoreErrors => _storeErrors;

    private int _storeErrors;

    // The store is a convenience: its failure must never fail a dial.
    private void Record(Action write)
    {
        try { write(); }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ArgumentException or ObjectDisposedException or InvalidOperationException)
        {
            Interlocked.Increment(ref _storeErrors);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopped = true;
        return inner.DisposeAsync();
    }
}
