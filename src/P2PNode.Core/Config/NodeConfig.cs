using P2PNode.Transport;

namespace P2PNode.Config;

/// <summary>
/// A validated node configuration (node.toml plus command-line overrides). Build it with
/// <see cref="ConfigLoader"/>; every property is already checked, including cross-field rules.
/// </summary>
public sealed record NodeConfig
{
    /// <summary>[node]: where the node keeps its state and who it says it is.</summary>
    public NodeSection Node { get; init; } = new();

    /// <summary>[network] transport tunables (listen, limits, timeouts, frame and queue sizes).</summary>
    public TransportOptions Network { get; init; } = new();

    /// <summary>[network] keys that are about other peers rather than the transport: the bootstrap list.</summary>
    public NetworkSection Peers { get; init; } = new();

    /// <summary>[overlay]: gossip topic, advertised address, peer store.</summary>
    public OverlaySection Overlay { get; init; } = new();

    /// <summary>[scoring]: peer scores, graylist, bans, per-peer rate limits.</summary>
    public ScoringSection Scoring { get; init; } = new();

    /// <summary>[permission]: open or allowlist (federation) mode, and this node's membership certificate.</summary>
    public PermissionSection Permission { get; init; } = new();

    /// <summary>[relay]: relay service for peers behind NAT.</summary>
    public RelaySection Relay { get; init; } = new();

    /// <summary>[training].</summary>
    public TrainingSection Training { get; init; } = new();

    /// <summary>[logging].</summary>
    public LoggingSection Logging { get; init; } = new();
}
