namespace P2PNode.Nat.Pcp;

/// <summary>A successful PCP ANNOUNCE response (RFC 6887 section 14.1): only the server's epoch.</summary>
internal sealed record PcpAnnounceReply(uint Epoch);
