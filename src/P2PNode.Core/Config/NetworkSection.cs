namespace P2PNode.Config;

/// <summary>The [network] keys that are not transport tunables (those map onto TransportOptions).</summary>
public sealed record NetworkSection
{
    /// <summary>network.bootstrap_file's default text: the project-published list, relative to node.toml's folder.</summary>
    public const string DefaultBootstrapFile = "bootstrap/peers.toml";

    /// <summary>Peers dialled at start-up to join the overlay ("peerid@host:port"). Empty means: wait
    /// for others to dial in (the first node of a network).</summary>
    public IReadOnlyList<BootstrapPeer> Bootstrap { get; init; } = [];

    /// <summary>network.bootstrap_file as an absolute path: a published list of bootstrap peers
    /// (<see cref="BootstrapPeersFile"/>) dialled together with <see cref="Bootstrap"/>. Null = none.</summary>
    public string? BootstrapFile { get; init; }

    /// <summary>True when <see cref="BootstrapFile"/> is the default path: it may then be missing (a node set up
    /// outside the repository has no bootstrap/ folder), whereas a path the operator chose must exist.</summary>
    public bool BootstrapFileIsDefault { get; init; }

    /// <summary>network.relay: "off", "auto", or "peerid@host:port" (<see cref="RelayMode.Fixed"/>, the peer in
    /// <see cref="RelayPeer"/>).</summary>
    public RelayMode Relay { get; init; } = RelayMode.Off;

    /// <summary>The relay to keep a reservation on when <see cref="Relay"/> is <see cref="RelayMode.Fixed"/>.</summary>
    public BootstrapPeer? RelayPeer { get; init; }

    /// <summary>network.port_mapping: ask the router to forward the listen port. "auto" by default, because a home
    /// volunteer behind a router with UPnP or NAT-PMP is then reachable with no setup at all.</summary>
    public PortMappingMode PortMapping { get; init; } = PortMappingMode.Auto;
}
