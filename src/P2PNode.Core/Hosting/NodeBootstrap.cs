using Microsoft.Extensions.Logging;
using P2PNode.Config;

namespace P2PNode.Hosting;

/// <summary>
/// The bootstrap peers of `p2pnode run`: network.bootstrap plus the entries of network.bootstrap_file
/// (<see cref="BootstrapPeersFile"/>), deduplicated by peer id with network.bootstrap winning. A missing file at
/// the default path is logged once at information level; a missing file the operator named, or any error in the
/// file, is a <see cref="ConfigException"/> (exit code 2, one line naming file and line).
/// </summary>
internal static class NodeBootstrap
{
    /// <summary>The configuration with <see cref="NetworkSection.Bootstrap"/> replaced by the union.</summary>
    public static NodeConfig WithBootstrapFile(NodeConfig config, ILogger log)
    {
        var peers = config.Peers;
        if (peers.BootstrapFile is not { } path) return config;
        if (peers.BootstrapFileIsDefault && !File.Exists(path) && !Directory.Exists(path))
        {
            log.BootstrapFileMissing(path);
            return config;
        }
        var entries = BootstrapPeersFile.Load(path);
        var configured = peers.Bootstrap.Select(p => p.PeerId).ToHashSet();
        var added = entries.Where(e => !configured.Contains(e.Peer.PeerId)).Select(e => e.Peer).ToList();
        log.BootstrapFileRead(path, entries.Count, added.Count, peers.Bootstrap.Count);
        return added.Count == 0 ? config : config with { Peers = peers with { Bootstrap = [.. peers.Bootstrap, .. added] } };
    }
}
