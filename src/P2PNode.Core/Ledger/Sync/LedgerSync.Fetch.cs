using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Peers;
using P2PNode.Wire.Ledger;

namespace P2PNode.Ledger.Sync;

public sealed partial class LedgerSync
{
    private const int MaxRemembered = 4096;

    // All guarded by _gate. Keys are author hex.
    private readonly Dictionary<string, PendingFetch> _fetches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PeerSession Peer, SignedTreeHead Head)> _wanted = new(StringComparer.Ordinal);
    // Heads whose fetch from a peer was refused, and heads found to fork ("fork/..."): not tried again, so a lying
    // peer or an equivocator costs one round and one evidence row, not one per tick.
    private readonly HashSet<string> _refusedTargets = new(StringComparer.Ordinal);

    /// <summary>A peer advertises a head beyond the entries we hold: fetch it now, or after the fetch in flight.</summary>
    private void WantHead(PeerSession peer, SignedTreeHead head)
    {
        var author = Hex(head.Author);
        if (_refusedTargets.Contains(TargetId(peer, head)) || _entryForkAuthors.Contains(author)) return;
        if (_fetches.ContainsKey(author) || _fetches.Count >= _options.MaxConcurrentFetches)
        {
            if (_wanted.Count >= MaxRemembered && !_wanted.ContainsKey(author)) return; // the next heads exchange brings it again
            if (!_wanted.TryGetValue(author, out var w) || w.Head.Size < head.Size) _wanted[author] = (peer, head);
            return;
        }
        StartFetch(peer, head, (ulong)_store.Size(head.Author), dispute: false);
    }

    private void StartFetch(PeerSession peer, SignedTreeHead target, ulong from, bool dispute)
    {
        if (target.Size - from > (ulong)_options.MaxCatchUpEntries)
        {
            Refuse(peer, "ledger_refused_gap", $"{Short(target.Author)}@{target.Size} is {target.Size - from} entries ahead, limit {_options.MaxCatchUpEntries}");
            Remember(TargetId(peer, target));
            return;
        }
        var have = _store.GetTreeHead(target.Author)?.Size ?? 0;
        var fetch = new PendingFetch(peer, target, from, have, dispute);
        _fetches[Hex(target.Author)] = fetch;
        Metrics.Increment(dispute ? "ledger_dispute_fetches" : "ledger_fetches");
        RequestNext(fetch);
    }

    private void RequestNext(PendingFetch f)
    {
        var count = (uint)Math.Min((ulong)_options.EntriesPerRequest, f.Target.Size - f.Next);
        f.LastActivity = DateTime.UtcNow;
        Send(f.Peer, new GetLedgerEntries(f.Target.Author, f.Next, count, f.Target.Size, f.HaveSize));
    }

    /// <summary>Serves a range of a log we hold, as signed by a head we hold of exactly the target size.</summary>
    private void OnGetEntries(PeerSession peer, GetLedgerEntries req)
    {
        var who = $"{Short(req.Author)}@{req.TargetSize}";
        string? why = null;
        SignedTreeHead? head = null;
        if (req.Count == 0) why = "count is 0";
        else if (req.From >= req.TargetSize) why = $"from {req.From} is not below the target size {req.TargetSize}";
        else if (req.HaveSize > req.TargetSize) why = $"have_size {req.HaveSize} is beyond the target size {req.TargetSize}";
        else if ((head = _store.GetTreeHeads(req.Author).FirstOrDefault(h => h.Size == req.TargetSize)) is null) why = "no tree head of that size is held";
        else if ((ulong)_store.Size(req.Author) < req.TargetSize) why = "the entries of that head are not all held";
        if (why is not null)
        {
            Refuse(peer, "ledger_refused_request", $"get_entries {who}: {why}");
            Send(peer, new LedgerUnavailable(req.Author, req.TargetSize, why));
            return;
        }
        var count = (int)Math.Min(req.Count, req.TargetSize - req.From);
        var entries = new List<SignedEntry>(count);
        var bytes = 0;
        foreach (var e in _store.GetRange(req.Author, req.From, count))
        {
            if (entries.Count > 0 && bytes + e.Bytes.Length + 64 > _options.MaxResponseBytes) break;
            entries.Add(e);
            bytes += e.Bytes.Length + 64;
        }
        IReadOnlyList<byte[]> proof = req.HaveSize > 0 && req.HaveSize < req.TargetSize
            ? _store.ProveConsistency(req.Author, req.HaveSize, req.TargetSize) : [];
        Metrics.Increment("ledger_entries_served", entries.Count);
        Send(peer, new LedgerEntries(req.From, entries, head!, proof));
    }

    private void OnEntries(PeerSession peer, LedgerEntries msg)
    {
        lock (_gate)
        {
            var author = Hex(msg.Head.Author);
            var what = $"entries {Short(msg.Head.Author)}[{msg.From}..+{msg.Entries.Count}]";
            if (!_fetches.TryGetValue(author, out var f) || f.Peer != peer)
            {
                Refuse(peer, "ledger_refused_unsolicited", $"{what}: nothing of that author was asked of this peer");
                return;
            }
            string? why = null;
            if (!msg.Head.SameStatement(f.Target)) why = $"answer names head @{msg.Head.Size}, the request asked for @{f.Target.Size}";
            else if (msg.From != f.Next) why = $"answer starts at {msg.From}, the request asked from {f.Next}";
            else if (msg.Entries.Count == 0) why = "answer holds no entries";
            else if (msg.From + (ulong)msg.Entries.Count > f.Target.Size) why = $"answer runs past the head's size {f.Target.Size}";
            if (why is not null)
            {
                _fetches.Remove(author);
                Refuse(peer, "ledger_refused_entries", $"{what}: {why}");
                Remember(TargetId(f.Peer, f.Target));
                return;
            }
            f.Buffer.AddRange(msg.Entries);
            f.Next += (ulong)msg.Entries.Count;
            f.Proof = msg.Proof;
            if (f.Next < f.Target.Size) { RequestNext(f); return; }
            _fetches.Remove(author);
            Ingest(f);
            StartWanted();
        }
    }

    /// <summary>Starts waiting fetches while there is room (after a fetch ended for any reason).</summary>
    private void StartWanted()
    {
        foreach (var (author, (peer, head)) in _wanted.ToList())
        {
            if (_fetches.Count >= _options.MaxConcurrentFetches) return;
            if (_fetches.ContainsKey(author)) continue;
            _wanted.Remove(author);
            if (head.Size > (ulong)_store.Size(head.Author) && _host.Sessions.Contains(peer)) WantHead(peer, head);
        }
    }

    /// <summary>Hands a complete range to the store, which verifies signatures, chaining, root and proof.</summary>
    private void Ingest(PendingFetch f)
    {
        IngestResult result;
        try { result = _store.IngestRemote(f.Buffer, f.Target, f.Proof); }
        catch (LedgerIngestException e)
        {
            Refuse(f.Peer, "ledger_refused_entries", $"{Short(f.Target.Author)}@{f.Target.Size}: {e.Message}");
            var held = (ulong)_store.Size(f.Target.Author);
            // Our log and the peer's may have split (an equivocating author): once per head, fetch the peer's log
            // from seq 0 so the store compares it entry by entry with ours and stores the entry fork it finds.
            if (!f.Dispute && held > 0 && !_refusedTargets.Contains(TargetId(f.Peer, f.Target)))
            {
                Remember(TargetId(f.Peer, f.Target));
                StartFetch(f.Peer, f.Target, 0, dispute: true);
            }
            else Remember(TargetId(f.Peer, f.Target));
            return;
        }
        if (result.Equivocation is { } ev)
        {
            Remember(TargetId(f.Peer, f.Target));
            EvidenceFound(ev, null);
            return;
        }
        Metrics.Increment("ledger_entries_ingested", result.Appended);
        Witness(f.Target);
        ScheduleDrain(); // kept entries may continue the log now
    }

    private void OnUnavailable(PeerSession peer, LedgerUnavailable msg)
    {
        lock (_gate)
        {
            var author = Hex(msg.Author);
            if (_fetches.TryGetValue(author, out var f) && f.Peer == peer && f.Target.Size == msg.TargetSize)
            {
                _fetches.Remove(author);
                Metrics.Increment("ledger_fetches_unavailable");
                StartWanted();
            }
        }
    }

    /// <summary>Drops fetches whose peer went quiet; the next heads exchange starts them again.</summary>
    private void ExpireFetches()
    {
        lock (_gate)
        {
            var cutoff = DateTime.UtcNow - _options.RequestTimeout;
            foreach (var (author, _) in _fetches.Where(kv => kv.Value.LastActivity < cutoff).ToList())
            {
                _fetches.Remove(author);
                Metrics.Increment("ledger_fetches_timed_out");
            }
            StartWanted();
        }
    }

    private void Remember(string target)
    {
        if (_refusedTargets.Count >= MaxRemembered) _refusedTargets.Clear();
        _refusedTargets.Add(target);
    }

    // Per peer: a liar must not stop an honest peer from serving the same head.
    private static string TargetId(PeerSession peer, SignedTreeHead h) => $"{peer.RemotePeer}/{HeadId(h)}";

    private static string HeadId(SignedTreeHead h) => $"{Hex(h.Author)}/{h.Size}/{Hex(h.Root)}";
}
