using P2PNode.Ledger.Entries;
using P2PNode.Peers;

namespace P2PNode.Ledger.Sync;

/// <summary>One range fetch in flight: from whom, towards which head, the entries gathered so far. A dispute
/// fetch starts at seq 0 so that the store compares the peer's whole log with ours (it finds the entry fork).</summary>
internal sealed class PendingFetch(PeerSession peer, SignedTreeHead target, ulong from, ulong haveSize, bool dispute)
{
    public PeerSession Peer { get; } = peer;
    public SignedTreeHead Target { get; } = target;
    public ulong HaveSize { get; } = haveSize;
    public bool Dispute { get; } = dispute;
    public ulong Next { get; set; } = from;
    public List<SignedEntry> Buffer { get; } = [];
    public IReadOnlyList<byte[]> Proof { get; set; } = [];
    public DateTime LastActivity { get; set; } = DateTime.UtcNow;
}
