using Microsoft.Extensions.Logging;
using P2PNode.Config;

namespace P2PNode.Core.Tests.Config;

public class ConfigOverrideTests
{
    private static readonly NodeConfig FromFile = ConfigLoader.Parse(
        "[node]\ndata_dir = \"state\"\n[network]\nlisten = [\"127.0.0.1:7700\"]\nidle_timeout_ms = 60000\n", "/srv/p2p/node.toml");

    private static NodeConfig Apply(params (string Key, string Value)[] overrides) =>
        ConfigLoader.ApplyOverrides(FromFile, overrides.ToDictionary(o => o.Key, o => o.Value));

    private static ConfigException Fails(params (string Key, string Value)[] overrides) =>
        Assert.Throws<ConfigException>(() => Apply(overrides));

    [Fact]
    public void Listen_override_replaces_the_file_value()
    {
        Assert.Equal(["127.0.0.1:0"], Apply(("network.listen", "127.0.0.1:0")).Network.Listen);
        Assert.Equal(["127.0.0.1:0", "[::1]:0"], Apply(("network.listen", "127.0.0.1:0, [::1]:0")).Network.Listen);
        Assert.Equal(["127.0.0.1:7700"], FromFile.Network.Listen);
    }

    [Fact]
    public void Data_dir_override_is_relative_to_the_current_directory_and_moves_the_key()
    {
        var c = Apply(("node.data_dir", "elsewhere"));
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "elsewhere"), c.Node.DataDir);
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "elsewhere", "node.key"), c.Node.KeyFilePath);
        Assert.Equal("/tmp/x", Apply(("node.data_dir", "/tmp/x")).Node.DataDir);
    }

    [Fact]
    public void Scalar_overrides_are_typed_by_their_key()
    {
        var c = Apply(("network.max_inbound", "12"), ("logging.level", "warning"), ("network.max_inbound_per_address", "2"));
        Assert.Equal(12, c.Network.MaxInbound);
        Assert.Equal(2, c.Network.MaxInboundPerAddress);
        Assert.Equal(LogLevel.Warning, c.Logging.Level);
        Assert.Equal(FromFile.Node, c.Node);
    }

    [Theory]
    [InlineData("network.max_inbound", "0", "command line: network.max_inbound: must be between 1 and 100000, got 0")]
    [InlineData("network.max_inbound", "lots", "command line: network.max_inbound: expected an integer, got \"lots\"")]
    [InlineData("network.listen", "localhost:1", "command line: network.listen[0]: \"localhost:1\": 'localhost' is not an IP address (listen on 0.0.0.0, [::] or a local interface's address)")]
    [InlineData("network.listen", "", "command line: network.listen: needs at least one address (e.g. \"0.0.0.0:7700\")")]
    [InlineData("network.nope", "1", "command line: network.nope: unknown key (keys of [network]: listen, max_inbound, max_inbound_per_address, handshake_timeout_ms, idle_timeout_ms, keepalive_interval_ms, max_frame_size, send_queue_capacity, bootstrap, bootstrap_file, relay, port_mapping)")]
    [InlineData("training.rounds", "1", "command line: training.rounds: unknown key (keys of [training]: data, held_out_percent, train_bytes, device)")]
    [InlineData("trainig.data", "1", "command line: trainig: unknown section; did you mean training? (known sections: node, network, overlay, scoring, permission, relay, training, logging)")]
    [InlineData("listen", "127.0.0.1:0", "command line: listen: an override key is 'section.key', e.g. network.listen")]
    [InlineData("network.idle_timeout_ms", "10000", "command line: network.idle_timeout_ms: keepalive_interval_ms (15000) must be less than idle_timeout_ms (10000), or healthy idle links get closed")]
    [InlineData("logging.level", "loud", "command line: logging.level: must be one of trace, debug, information, warning, error; got \"loud\"")]
    public void Bad_overrides_fail_like_bad_file_values(string key, string value, string expected)
    {
        var e = Fails((key, value));
        Assert.Equal(expected, e.Message);
        Assert.Null(e.Line);
        Assert.Equal(ConfigLoader.CommandLineSource, e.Source);
    }

    [Fact]
    public void No_overrides_returns_the_same_config()
    {
        Assert.Same(FromFile, ConfigLoader.ApplyOverrides(FromFile, new Dictionary<string, string>()));
    }
}
