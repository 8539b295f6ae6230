using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Peers;
using P2PNode.Wire.Ledger;

namespace P2PNode.Ledger.Sync;

public sealed partial class LedgerSync
{
    /// <summary>Our latest head for every author (own head published first if the own log grew), with up to
    /// <see cref="LedgerLimits.MaxCosignaturesPerHead"/> cosignatures each; over <see cref="LedgerLimits.MaxHeads"/>
    /// authors, a window that moves on every call so all authors get announced in turn.</summary>
    private LedgerHeads BuildHeads()
    {
        if (_store.Size(_me) > 0) _store.PublishTreeHead(_identity.SigningKey); // an empty log has nothing to vouch for
        var authors = _store.Authors();
        var take = Math.Min(authors.Count, LedgerLimits.MaxHeads);
        var start = authors.Count <= LedgerLimits.MaxHeads ? 0 : Interlocked.Add(ref _headsOffset, take) % authors.Count;
        var items = new List<LedgerHeadItem>(take);
        for (var i = 0; i < take; i++)
        {
            var author = authors[(start + i) % authors.Count];
            if (_store.GetTreeHead(author) is not { } head) continue;
            var cosigs = _store.GetCosignatures(author, head.Size).Take(LedgerLimits.MaxCosignaturesPerHead).ToList();
            items.Add(new LedgerHeadItem(head, cosigs));
        }
        return new LedgerHeads(items);
    }

    private void OnHeads(PeerSession peer, LedgerHeads message)
    {
        Metrics.Increment("ledger_heads_received");
        lock (_gate)
        {
            foreach (var item in message.Heads)
            {
                var head = item.Head;
                if (!head.VerifySignature())
                {
                    Refuse(peer, "ledger_refused_head", $"tree head {Short(head.Author)}@{head.Size}: signature does not verify");
                    continue;
                }
                if (IsMe(head.Author))
                {
                    // Our own log: we are its source, not its replica; but we collect the witnesses' cosignatures.
                    foreach (var c in item.Cosignatures) StoreCosignature(peer, head, c);
                    continue;
                }
                if (_refusedTargets.Contains("fork/" + HeadId(head))) continue;
                if (head.Size > (ulong)_store.Size(head.Author)) { WantHead(peer, head); continue; }
                if (!AcceptHeldHead(peer, head)) continue;
                Witness(head);
                foreach (var c in item.Cosignatures) StoreCosignature(peer, head, c);
            }
        }
    }

    /// <summary>A head no larger than the entries we hold: it must match our log at its size (else it is a fork,
    /// and the store keeps the evidence); a new one is stored. True when the head is consistent and held.</summary>
    private bool AcceptHeldHead(PeerSession peer, SignedTreeHead head)
    {
        try
        {
            // Both proofs come from our own tree: the store re-checks the head against it.
            var latest = _store.GetTreeHead(head.Author);
            IReadOnlyList<byte[]> proof = latest is not null && latest.Size > 0 && latest.Size < head.Size
                ? _store.ProveConsistency(head.Author, latest.Size, head.Size) : [];
            var result = _store.IngestRemote([], head, proof);
            if (result.Equivocation is { } ev)
            {
                Remember("fork/" + HeadId(head));
                EvidenceFound(ev, null);
                return false;
            }
            if (result.NewTreeHead) Metrics.Increment("ledger_heads_stored");
            return true;
        }
        catch (LedgerIngestException e)
        {
            Refuse(peer, "ledger_refused_head", e.Message);
            return false;
        }
    }

    /// <summary>Cosigns a head we hold and checked (never our own, never a flagged author's) and pushes the
    /// cosignature to every peer.</summary>
    private void Witness(SignedTreeHead head)
    {
        if (IsMe(head.Author) || _store.FlaggedAuthors().ContainsKey(Hex(head.Author))) return;
        if (_store.GetCosignatures(head.Author, head.Size).Any(c => IsMe(c.Witness))) return;
        Cosignature cosig;
        try { cosig = _store.Cosign(_identity.SigningKey, head); }
        catch (LedgerIngestException e)
        {
            Refuse(null, "ledger_refused_head", "cannot witness: " + e.Message);
            foreach (var ev in _store.GetEvidence().Where(ev => !_evidenceSeen.Contains(EvidenceId(ev)))) EvidenceFound(ev, null);
            return;
        }
        Metrics.Increment("ledger_cosignatures_made");
        Broadcast(new LedgerCosignature(head, cosig));
    }

    private void OnCosignature(PeerSession peer, LedgerCosignature message)
    {
        lock (_gate)
        {
            if (!message.Head.VerifySignature())
            {
                Refuse(peer, "ledger_refused_cosignature", $"cosignature for {Short(message.Head.Author)}@{message.Head.Size}: the tree head's signature does not verify");
                return;
            }
            StoreCosignature(peer, message.Head, message.Cosignature);
        }
    }

    private void StoreCosignature(PeerSession peer, SignedTreeHead head, Cosignature cosig)
    {
        var what = $"cosignature by {Short(cosig.Witness)} on {Short(head.Author)}@{head.Size}";
        if (!cosig.Verify(head)) { Refuse(peer, "ledger_refused_cosignature", what + ": signature does not verify"); return; }
        if (_store.GetCosignatures(head.Author, head.Size).Any(c => c.Witness.AsSpan().SequenceEqual(cosig.Witness))) return;
        try
        {
            _store.AddCosignature(head, cosig);
            Metrics.Increment("ledger_cosignatures_stored");
        }
        catch (LedgerIngestException)
        {
            // Not an offence: the cosignature raced ahead of the entries; the next heads exchange carries it again.
            Metrics.Increment("ledger_cosignature_head_not_held");
        }
    }
}
