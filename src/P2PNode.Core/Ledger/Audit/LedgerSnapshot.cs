using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Ledger.Audit;

/// <summary>Everything an audit looks at, from a database or an export, plus the problems met while loading
/// (malformed lines, truncation, fields that disagree with the signed bytes).</summary>
public sealed class LedgerSnapshot
{
    public List<SnapshotEntry> Entries { get; } = [];
    public List<SnapshotHead> Heads { get; } = [];
    public List<SnapshotEvidence> Evidence { get; } = [];
    public List<Finding> LoadFindings { get; } = [];

    /// <summary>True for exports: entry lines must then appear in seq order per author, heads carry proofs.</summary>
    public bool FromExport { get; init; }

    public static LedgerSnapshot FromStore(LedgerStore store)
    {
        var snap = new LedgerSnapshot();
        foreach (var author in store.Authors())
        {
            foreach (var (seq, bytes, sig) in store.RawEntries(author))
            {
                try { snap.Entries.Add(new SnapshotEntry(SignedEntry.FromParts(bytes, sig), 0)); }
                catch (FormatException ex)
                {
                    snap.LoadFindings.Add(new Finding(FindingCodes.BadEntryEncoding, Convert.ToHexStringLower(author), seq, null, "stored row: " + ex.Message));
                }
            }
            foreach (var h in store.GetTreeHeads(author))
                snap.Heads.Add(new SnapshotHead(h, store.GetCosignatures(author, h.Size), null, null, 0));
        }
        foreach (var e in store.GetEvidence()) snap.Evidence.Add(new SnapshotEvidence(e, 0));
        return snap;
    }
}
