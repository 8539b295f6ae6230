using P2PNode.Relay;

namespace P2PNode.Config;

/// <summary>[relay]: whether this node relays for peers that cannot accept connections, and its limits
/// (docs/protocol.md, "Relay"; docs/configuration.md).</summary>
public sealed record RelaySection
{
    /// <summary>Offer relay service ("relay/1" in Hello). Only on nodes that others can reach directly.</summary>
    public bool Serve { get; init; }

    /// <summary>The limits of the service; the other [relay] keys map onto it one to one.</summary>
    public RelayServiceOptions Limits { get; init; } = new();
}
