using Microsoft.Extensions.Logging;
using P2PNode.Config;
using P2PNode.Identity;

namespace P2PNode.Core.Tests.Config;

public class ConfigLoaderTests
{
    private const string Peer = "p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vui";

    [Fact]
    public void An_empty_file_gives_the_code_defaults_with_data_dir_beside_it()
    {
        var config = ConfigLoader.Parse("", "/srv/p2p/node.toml");
        Assert.Equal("/srv/p2p/.p2pnode", config.Node.DataDir);
        Assert.Equal("/srv/p2p/.p2pnode/node.key", config.Node.KeyFilePath);
        Assert.Equal(["0.0.0.0:7700"], config.Network.Listen);
        Assert.Equal(LogLevel.Information, config.Logging.Level);
    }

    [Fact]
    public void Every_key_is_mapped_onto_its_property()
    {
        var toml = $"""
            [node]
            data_dir = "state"
            key_file = "keys/me.key"
            passphrase_file = "../secrets/pass"
            display_name = "lab-3"
            organisation = "Statistics Norway"

            [network]
            listen = ["0.0.0.0:7701", "[::]:7701"]
            bootstrap = ["{Peer}@[2001:db8::1]:7700", "{Peer}@node-1.example.org:7700", "{Peer}@192.0.2.7:7700"]
            max_inbound = 100
            max_inbound_per_address = 3
            handshake_timeout_ms = 2500
            idle_timeout_ms = 30000
            keepalive_interval_ms = 7000
            max_frame_size = 1048576
            send_queue_capacity = 64

            [logging]
            level = "debug"
            """;
        var c = ConfigLoader.Parse(toml, "/srv/p2p/node.toml");
        Assert.Equal("/srv/p2p/state", c.Node.DataDir);
        Assert.Equal("keys/me.key", c.Node.KeyFile);
        Assert.Equal("/srv/p2p/state/keys/me.key", c.Node.KeyFilePath);
        Assert.Equal("/srv/secrets/pass", c.Node.PassphraseFile);
        Assert.Equal("lab-3", c.Node.DisplayName);
        Assert.Equal("Statistics Norway", c.Node.Organisation);
        Assert.Equal(["0.0.0.0:7701", "[::]:7701"], c.Network.Listen);
        Assert.Equal(100, c.Network.MaxInbound);
        Assert.Equal(3, c.Network.MaxInboundPerAddress);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), c.Network.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), c.Network.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), c.Network.KeepAliveInterval);
        Assert.Equal(1048576, c.Network.MaxFrameSize);
        Assert.Equal(64, c.Network.SendQueueCapacity);
        Assert.Equal(LogLevel.Debug, c.Logging.Level);
        Assert.Equal(
            [new BootstrapPeer(PeerId.Parse(Peer), "2001:db8::1", 7700), new BootstrapPeer(PeerId.Parse(Peer), "node-1.example.org", 7700), new BootstrapPeer(PeerId.Parse(Peer), "192.0.2.7", 7700)],
            c.Peers.Bootstrap);
        Assert.Equal($"{Peer}@[2001:db8::1]:7700", c.Peers.Bootstrap[0].ToString());
    }

    [Fact]
    public void Absolute_paths_are_kept_and_quoted_keys_work()
    {
        var c = ConfigLoader.Parse("[node]\n\"data_dir\" = \"/var/lib/p2pnode\"\nkey_file = \"/etc/p2pnode/node.key\"\n", "/srv/node.toml");
        Assert.Equal("/var/lib/p2pnode", c.Node.DataDir);
        Assert.Equal("/etc/p2pnode/node.key", c.Node.KeyFilePath);
    }

    [Fact]
    public void Empty_optional_strings_mean_not_set()
    {
        var c = ConfigLoader.Parse("[node]\npassphrase_file = \"\"\ndisplay_name = \"\"\norganisation = \"\"\n", "/srv/node.toml");
        Assert.Null(c.Node.PassphraseFile);
        Assert.Null(c.Node.DisplayName);
        Assert.Null(c.Node.Organisation);
    }

    [Fact]
    public void Rendered_default_with_awkward_paths_loads_back()
    {
        var pass = "/tmp/a \"quoted\" dir\\with backslash/pass";
        var c = ConfigLoader.Parse(DefaultConfigFile.Render(".", pass), "/srv/x/node.toml");
        Assert.Equal(pass, c.Node.PassphraseFile);
        Assert.Equal("/srv/x", c.Node.DataDir);
        Assert.Equal("/srv/x/node.key", c.Node.KeyFilePath);
    }
}
