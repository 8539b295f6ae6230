using P2PNode.Config;
using P2PNode.Transport;

namespace P2PNode.Core.Tests.Config;

/// <summary>The root node.toml is the documented default: it loads, matches the code and the docs.</summary>
public class ShippedConfigTests
{
    private static string NodeToml => Path.Combine(RepoRoot.Path, "node.toml");

    [Fact]
    public void Root_node_toml_loads_and_runs_one_node_on_this_machine()
    {
        var config = ConfigLoader.Load(NodeToml);
        Assert.Equal(["127.0.0.1:7700"], config.Network.Listen);
        Assert.Equal(Path.Combine(RepoRoot.Path, ".p2pnode"), config.Node.DataDir);
        Assert.Equal(Path.Combine(RepoRoot.Path, ".p2pnode", "node.key"), config.Node.KeyFilePath);
        Assert.Null(config.Node.PassphraseFile);
        Assert.Null(config.Node.DisplayName);
        Assert.Null(config.Node.Organisation);
        Assert.Empty(config.Peers.Bootstrap);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, config.Logging.Level);
    }

    [Fact]
    public void Root_node_toml_values_equal_the_code_defaults_except_listen()
    {
        var config = ConfigLoader.Load(NodeToml);
        // Listen differs on purpose: the file is safe to run as-is (loopback), the code default is the
        // production one (all interfaces).
        Assert.Equal(new TransportOptions { Listen = config.Network.Listen }, config.Network);
        // (Records compare lists by reference, so the list-valued parts are compared separately.)
        Assert.Empty(config.Peers.Bootstrap);
        Assert.Equal(ConfigLoader.Defaults(RepoRoot.Path) with { Network = config.Network, Peers = config.Peers }, config);
    }

    [Fact]
    public void Root_node_toml_is_the_embedded_default_text()
    {
        Assert.Equal(DefaultConfigFile.Render(".p2pnode", null), File.ReadAllText(NodeToml));
    }

    [Fact]
    public void Root_node_toml_lists_every_key_and_the_docs_describe_every_key()
    {
        var document = ConfigDocument.FromToml(File.ReadAllText(NodeToml), "node.toml", RepoRoot.Path);
        var docs = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "configuration.md"));
        foreach (var map in ConfigSections.All)
        {
            foreach (var key in map.Keys)
            {
                Assert.True(document.Find(map.Section)?.Find(key) is not null, $"node.toml lacks {map.Section}.{key}");
                Assert.Contains($"`{map.Section}.{key}`", docs);
            }
        }
    }
}
