using System.Security.Cryptography;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Peers;
using P2PNode.Wire;
using P2PNode.Wire.Ledger;

namespace P2PNode.Ledger.Sync;

public sealed partial class LedgerSync
{
    // Evidence already stored or pushed, by SHA-256 of its wire encoding: each item is stored and forwarded once.
    private readonly HashSet<string> _evidenceSeen = new(StringComparer.Ordinal);
    // Authors we hold an entry fork of: the strongest evidence there is, so their logs are not fetched any more.
    private readonly HashSet<string> _entryForkAuthors = new(StringComparer.Ordinal);

    private void Seen(Equivocation e)
    {
        _evidenceSeen.Add(EvidenceId(e));
        if (e.Kind == EquivocationKind.EntryFork) _entryForkAuthors.Add(Hex(e.Author));
    }

    /// <summary>Evidence the store just found (and stored): push it to every peer.</summary>
    private void EvidenceFound(Equivocation evidence, PeerSession? except)
    {
        if (_evidenceSeen.Contains(EvidenceId(evidence))) return;
        Seen(evidence);
        Metrics.Increment("ledger_evidence_found");
        Broadcast(new LedgerEvidence(evidence), except);
    }

    private void OnEvidence(PeerSession peer, LedgerEvidence message)
    {
        lock (_gate)
        {
            var evidence = message.Evidence;
            if (_evidenceSeen.Contains(EvidenceId(evidence))) return;
            if (evidence.Check() is { } why)
            {
                Refuse(peer, "ledger_refused_evidence", $"evidence against {Short(evidence.Author)}: {why}");
                return;
            }
            try { _store.AddEvidence(evidence); }
            catch (LedgerIngestException e)
            {
                Refuse(peer, "ledger_refused_evidence", e.Message);
                return;
            }
            Seen(evidence);
            Metrics.Increment("ledger_evidence_received");
            Broadcast(new LedgerEvidence(evidence), except: peer);
        }
    }

    private static string EvidenceId(Equivocation e) => Convert.ToHexStringLower(SHA256.HashData(WireCodec.Encode(new LedgerEvidence(e))));
}
