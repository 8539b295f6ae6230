namespace P2PNode.Config;

/// <summary>The [network] keys that are not transport tunables (those map onto TransportOptions).</summary>
public sealed record NetworkSection
{
    /// <summary>Peers dialled at start-up to join the overlay ("peerid@host:port"). Empty means: wait
    /// for others to dial in (the first node of a network).</summary>
    public IReadOnlyList<BootstrapPeer> Bootstrap { get; init; } = [];

    /// <summary>network.relay: "off", "auto", or "peerid@host:port" (<see cref="RelayMode.Fixed"/>, the peer in
    /// <see cref="RelayPeer"/>).</summary>
    public RelayMode Relay { get; init; } = RelayMode.Off;

    /// <summary>The relay to keep a reservation on when <see cref="Relay"/> is <see cref="RelayMode.Fixed"/>.</summary>
    public BootstrapPeer? RelayPeer { get; init; }
}
