namespace P2PNode.Config;

/// <summary>One [[peer]] of a bootstrap peers file: the peer to dial and the notes its publisher gave.</summary>
/// <param name="Name">Free text for people reading the file (e.g. "stats-no-1"); never sent anywhere.</param>
/// <param name="Organisation">Who runs the node, for the same readers; self-declared, like node.organisation.</param>
/// <param name="Line">1-based line of the entry's [[peer]] header, for log and error messages.</param>
public sealed record BootstrapListEntry(BootstrapPeer Peer, string? Name, string? Organisation, int Line);
