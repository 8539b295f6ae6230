using P2PNode.Identity;
using P2PNode.Ledger.Entries;

namespace P2PNode.Training.Runtime;

/// <summary>A contribution whose entry signature and payload hash have been checked (<see cref="RunMessage"/>).</summary>
/// <remarks><see cref="Delta"/> is the encoded delta, usually a slice of the gossip payload it arrived in (not a copy).</remarks>
public sealed record ReceivedContribution(SignedEntry Entry, ContributionBody Body, ArraySegment<byte> Delta)
{
    /// <summary>Wall-clock time (Unix ms) this node received it; with the author's entry time_ms (set just before it
    /// published) this gives the transfer time, exact when both run on one clock (a swarm on one machine).</summary>
    public long ArrivedMs { get; init; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public ulong Round => Body.Round;
    /// <summary>The author, named by the key the entry is signed with (checked before the contribution gets here).</summary>
    public PeerId Author { get; } = PeerId.FromPublicKey(Entry.Author);
    public string Hash => Convert.ToHexStringLower(Entry.Hash);
}
