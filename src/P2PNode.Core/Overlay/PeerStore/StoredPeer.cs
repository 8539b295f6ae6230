using P2PNode.Identity;

namespace P2PNode.Overlay.PeerStore;

/// <summary>A peer remembered in the peer store: its dialable addresses (most recently seen first), when it
/// was last seen connected (Unix ms), and how many dials in a row failed since.</summary>
public sealed record StoredPeer(PeerId Peer, IReadOnlyList<string> Addresses, long LastSeenMs, int Failures);
