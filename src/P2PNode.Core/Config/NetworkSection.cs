namespace P2PNode.Config;

/// <summary>The [network] keys that are not transport tunables (those map onto TransportOptions).</summary>
public sealed record NetworkSection
{
    /// <summary>Peers dialled at start-up to join the overlay ("peerid@host:port"). Empty means: wait
    /// for others to dial in (the first node of a network).</summary>
    public IReadOnlyList<BootstrapPeer> Bootstrap { get; init; } = [];
}
