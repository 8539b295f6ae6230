using Microsoft.Extensions.Logging;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Ledger.Sync;

// Entries that reached this node outside replication (a Contribution's signed entry travels inside its gossip
// message): kept until they continue the author's held log, then stored (LedgerStore.IngestEntry), so that
// replication fetches only what follows them instead of the same entry a second time (docs/ledger.md §9.3, step 9).
public sealed partial class LedgerSync
{
    /// <summary>Entries kept at most (all authors): beyond it new ones are dropped (counted); replication still brings them.</summary>
    internal const int MaxKept = 4096;

    private readonly Lock _keptGate = new();
    private readonly Dictionary<string, SortedList<ulong, SignedEntry>> _kept = new(StringComparer.Ordinal);
    private int _keptCount;
    private int _drainScheduled;

    /// <summary>
    /// Keeps another author's signed entry that arrived outside replication, to store it once the entries before it
    /// are held. Cheap and safe to call from any thread, under other locks (the overlay's validator calls it): the
    /// store is written on the thread pool. The store verifies the entry itself, as it verifies everything.
    /// </summary>
    public void Keep(SignedEntry entry)
    {
        if (entry.Author.AsSpan().SequenceEqual(_me)) return;
        lock (_keptGate)
        {
            if (_keptCount >= MaxKept)
            {
                Metrics.Increment("ledger_kept_dropped");
                return;
            }
            var author = Hex(entry.Author);
            if (!_kept.TryGetValue(author, out var list)) _kept[author] = list = [];
            if (!list.TryAdd(entry.Seq, entry)) return;
            _keptCount++;
        }
        ScheduleDrain();
    }

    /// <summary>Entries kept and not stored yet (tests, diagnostics).</summary>
    public int KeptCount
    {
        get { lock (_keptGate) return _keptCount; }
    }

    private void ScheduleDrain()
    {
        if (Interlocked.Exchange(ref _drainScheduled, 1) == 0) ThreadPool.QueueUserWorkItem(_ => DrainKeptSafely());
    }

    // On the thread pool: nothing may escape (it would end the process), and, like a message handler, it counts as
    // in flight so that DisposeAsync waits for it before the store's owner closes the store.
    private void DrainKeptSafely()
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (!_stop.IsCancellationRequested) DrainKept();
        }
        catch (Exception e)
        {
            Metrics.Increment("ledger_internal_error");
            _log.KeptStoreFailed(e);
        }
        finally { Interlocked.Decrement(ref _inFlight); }
    }

    /// <summary>Stores every kept entry that continues its author's held log, drops those already held.</summary>
    internal void DrainKept()
    {
        Volatile.Write(ref _drainScheduled, 0);
        lock (_gate)
        {
            List<string> authors;
            lock (_keptGate) authors = [.. _kept.Keys];
            foreach (var author in authors)
            {
                while (TakeLowest(author) is { } e)
                {
                    if (e.Seq > (ulong)_store.Size(e.Author))
                    {
                        lock (_keptGate) if (_kept[author].TryAdd(e.Seq, e)) _keptCount++;
                        break;
                    }
                    try
                    {
                        var result = _store.IngestEntry(e);
                        if (result.Equivocation is { } ev) EvidenceFound(ev, null);
                        else Metrics.Increment("ledger_entries_kept", result.Appended);
                    }
                    catch (LedgerIngestException ex)
                    {
                        Refuse(null, "ledger_refused_kept", $"{Short(e.Author)}:{e.Seq} from a gossip message: {ex.Message}");
                    }
                }
            }
        }
    }

    private SignedEntry? TakeLowest(string author)
    {
        lock (_keptGate)
        {
            if (!_kept.TryGetValue(author, out var list)) return null;
            if (list.Count == 0)
            {
                _kept.Remove(author);
                return null;
            }
            var e = list.Values[0];
            list.RemoveAt(0);
            _keptCount--;
            return e;
        }
    }
}
