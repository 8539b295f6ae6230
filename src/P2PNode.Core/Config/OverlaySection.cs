namespace P2PNode.Config;

/// <summary>[overlay]: how `p2pnode run` takes part in the gossip overlay (docs/overlay.md).</summary>
public sealed record OverlaySection
{
    /// <summary>The gossip topic the node subscribes and publishes to (one per training run): 1 to 64 UTF-8
    /// bytes, no control characters. Nodes on different topics still relay each other's messages.</summary>
    public string Topic { get; init; } = "p2pnode/default";

    /// <summary>"host:port" other nodes dial to reach this one (sent in Join, Neighbor and Shuffle). Null =
    /// the first listen address, with a wildcard IP (0.0.0.0, [::]) replaced by 127.0.0.1: set it whenever
    /// peers on other machines must reach this node.</summary>
    public string? AdvertiseAddress { get; init; }

    /// <summary>Remember peers in data_dir/peers.db (SQLite) and rejoin from them when no bootstrap peer is
    /// configured or reachable.</summary>
    public bool PeerStore { get; init; } = true;

    /// <summary>The address to advertise given the first bound listen address ("ip:port", port resolved).</summary>
    public string AdvertisedFor(string listenAddress)
    {
        if (AdvertiseAddress is { } set) return set;
        if (!HostPort.TryParse(listenAddress, requireIpLiteral: true, allowPortZero: false, out var host, out var port, out var error))
            throw new ArgumentException($"listen address {listenAddress}: {error}", nameof(listenAddress));
        // A wildcard address cannot be dialled; on one machine loopback can.
        if (System.Net.IPAddress.TryParse(host, out var ip) && (ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any)))
            host = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "::1" : "127.0.0.1";
        return HostPort.Format(host, port);
    }
}
