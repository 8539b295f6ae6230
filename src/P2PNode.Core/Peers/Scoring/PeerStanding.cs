namespace P2PNode.Peers.Scoring;

/// <summary>What a peer's score currently means for it.</summary>
public enum PeerStanding
{
    Good,
    /// <summary>Gossip and announcements ignored; the connection stays.</summary>
    Graylisted,
    /// <summary>Disconnected and refused until the ban expires.</summary>
    Banned,
}
