using P2PNode.Config;
using P2PNode.Identity;

namespace P2PNode.Cli.Commands;

/// <summary>A loaded configuration and the identity it names. Disposing it disposes the key.</summary>
internal sealed class LoadedNode(string configPath, NodeConfig config, NodeIdentity identity) : IDisposable
{
    /// <summary>Absolute path of the node.toml that was loaded.</summary>
    public string ConfigPath { get; } = configPath;
    public NodeConfig Config { get; } = config;
    public NodeIdentity Identity { get; } = identity;

    public void Dispose() => Identity.Dispose();
}
