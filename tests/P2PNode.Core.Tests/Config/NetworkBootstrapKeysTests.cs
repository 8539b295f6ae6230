using P2PNode.Config;

namespace P2PNode.Core.Tests.Config;

/// <summary>network.bootstrap_file and network.port_mapping: defaults, paths, overrides.</summary>
public class NetworkBootstrapKeysTests
{
    [Fact]
    public void Defaults_name_the_published_list_next_to_node_toml_and_map_ports_automatically()
    {
        var c = ConfigLoader.Parse("", "/srv/p2p/node.toml");
        Assert.Equal("/srv/p2p/bootstrap/peers.toml", c.Peers.BootstrapFile);
        Assert.True(c.Peers.BootstrapFileIsDefault);
        Assert.Equal(PortMappingMode.Auto, c.Peers.PortMapping);
    }

    [Theory]
    [InlineData("bootstrap/peers.toml", "/srv/p2p/bootstrap/peers.toml", true)]
    [InlineData("lists/federation.toml", "/srv/p2p/lists/federation.toml", false)]
    [InlineData("/etc/p2pnode/peers.toml", "/etc/p2pnode/peers.toml", false)]
    [InlineData("", null, false)]
    public void Bootstrap_file_resolves_against_the_config_folder_and_only_the_default_text_may_be_missing(string value, string? path, bool isDefault)
    {
        var c = ConfigLoader.Parse($"[network]\nbootstrap_file = \"{value}\"\n", "/srv/p2p/node.toml");
        Assert.Equal(path, c.Peers.BootstrapFile);
        Assert.Equal(isDefault, c.Peers.BootstrapFileIsDefault);
    }

    [Theory]
    [InlineData("off", PortMappingMode.Off)]
    [InlineData("auto", PortMappingMode.Auto)]
    [InlineData("pcp", PortMappingMode.Pcp)]
    [InlineData("natpmp", PortMappingMode.NatPmp)]
    [InlineData("upnp", PortMappingMode.Upnp)]
    public void Port_mapping_values(string value, PortMappingMode expected)
    {
        Assert.Equal(expected, ConfigLoader.Parse($"[network]\nport_mapping = \"{value}\"\n", "node.toml").Peers.PortMapping);
        var overridden = ConfigLoader.ApplyOverrides(ConfigLoader.Parse("", "node.toml"), new Dictionary<string, string> { ["network.port_mapping"] = value });
        Assert.Equal(expected, overridden.Peers.PortMapping);
    }

    [Fact]
    public void A_command_line_bootstrap_file_resolves_against_the_current_directory()
    {
        var c = ConfigLoader.ApplyOverrides(ConfigLoader.Parse("", "/srv/p2p/node.toml"), new Dictionary<string, string> { ["network.bootstrap_file"] = "x.toml" });
        Assert.Equal(Path.GetFullPath("x.toml"), c.Peers.BootstrapFile);
        Assert.False(c.Peers.BootstrapFileIsDefault);
    }
}
