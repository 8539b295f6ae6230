using P2PNode.Ledger.Entries;

namespace P2PNode.Training.Runtime;

/// <summary>A contribution whose entry signature and payload hash have been checked (<see cref="RunMessage"/>).</summary>
public sealed record ReceivedContribution(SignedEntry Entry, ContributionBody Body, byte[] Delta)
{
    public ulong Round => Body.Round;
    public string Author => Convert.ToHexStringLower(Entry.Author);
    public string Hash => Convert.ToHexStringLower(Entry.Hash);
}
