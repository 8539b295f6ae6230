namespace P2PNode.Config;

/// <summary>network.port_mapping: whether and how `p2pnode run` asks the home router to forward its port
/// (docs/nat.md, "Port mapping in p2pnode run").</summary>
public enum PortMappingMode
{
    /// <summary>Never ask.</summary>
    Off,

    /// <summary>PCP, then NAT-PMP, then UPnP-IGD, first answer wins; skipped when mapping cannot help (the node
    /// listens only on loopback, or the machine has a public IPv4 address of its own).</summary>
    Auto,

    /// <summary>Only PCP (RFC 6887), always tried.</summary>
    Pcp,

    /// <summary>Only NAT-PMP (RFC 6886), always tried.</summary>
    NatPmp,

    /// <summary>Only UPnP-IGD, always tried.</summary>
    Upnp,
}
