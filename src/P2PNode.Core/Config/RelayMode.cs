namespace P2PNode.Config;

/// <summary>How a node uses relays to stay reachable (network.relay, docs/nat.md).</summary>
public enum RelayMode
{
    /// <summary>Never: the node is reachable only at its own addresses.</summary>
    Off,
    /// <summary>Use a relay when peers see this node at an address that is not its own (behind NAT) and no
    /// advertise_address is set: the first bootstrap peer that offers relay service is used.</summary>
    Auto,
    /// <summary>Always keep a reservation on the one relay named in <see cref="NetworkSection.RelayPeer"/>.</summary>
    Fixed,
}
