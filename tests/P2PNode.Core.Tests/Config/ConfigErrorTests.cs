using P2PNode.Config;

namespace P2PNode.Core.Tests.Config;

/// <summary>Every class of configuration error gives one line with file, line, key and reason.</summary>
public class ConfigErrorTests
{
    private const string ValidPeer = "p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vui";

    private static ConfigException Fails(string toml) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(toml, "node.toml", "/srv/p2p"));

    [Theory]
    [InlineData("[network]\nmax_inbound = 0\n", "node.toml:2: network.max_inbound: must be between 1 and 100000, got 0")]
    [InlineData("[network]\n\n\nmax_inbound = 100001\n", "node.toml:4: network.max_inbound: must be between 1 and 100000, got 100001")]
    [InlineData("[network]\nmax_frame_size = 1024\n", "node.toml:2: network.max_frame_size: must be between 65536 and 67108864, got 1024")]
    [InlineData("[network]\nidle_timeout_ms = -5\n", "node.toml:2: network.idle_timeout_ms: must be between 1000 and 86400000, got -5")]
    [InlineData("[network]\nmax_inbound = 99999999999\n", "node.toml:2: network.max_inbound: must be between 1 and 100000, got 99999999999")]
    public void Out_of_range_values(string toml, string expected) => Assert.Equal(expected, Fails(toml).Message);

    [Theory]
    [InlineData("[network]\nmax_inbound = \"10\"\n", "node.toml:2: network.max_inbound: expected an integer, got a string (\"10\")")]
    [InlineData("[network]\nmax_inbound = 1.5\n", "node.toml:2: network.max_inbound: expected an integer, got a float (1.5)")]
    [InlineData("[network]\nlisten = \"127.0.0.1:7700\"\n", "node.toml:2: network.listen: expected an array, got a string (\"127.0.0.1:7700\")")]
    [InlineData("[node]\ndata_dir = 5\n", "node.toml:2: node.data_dir: expected a string, got an integer (5)")]
    [InlineData("[node]\ndisplay_name = true\n", "node.toml:2: node.display_name: expected a string, got a boolean (true)")]
    [InlineData("[node]\ndata_dir = { path = \"x\" }\n", "node.toml:2: node.data_dir: expected a string, got a table")]
    [InlineData("[logging]\nlevel = 1979-05-27\n", "node.toml:2: logging.level: expected a string, got a date-time")]
    [InlineData("[network]\nlisten = [\n  \"127.0.0.1:1\",\n  7700,\n]\n", "node.toml:4: network.listen[1]: expected a string, got an integer (7700)")]
    public void Wrong_types(string toml, string expected) => Assert.Equal(expected, Fails(toml).Message);

    [Fact]
    public void Unknown_key_names_the_line_and_suggests_the_closest_key()
    {
        var e = Fails("[network]\nmax_inbound = 5\nmax_inbund = 5\n");
        Assert.Equal("node.toml:3: network.max_inbund: unknown key; did you mean max_inbound? (keys of [network]: listen, max_inbound, "
            + "max_inbound_per_address, handshake_timeout_ms, idle_timeout_ms, keepalive_interval_ms, max_frame_size, send_queue_capacity, bootstrap, bootstrap_file, relay, port_mapping)", e.Message);
        Assert.Equal(3, e.Line);
        Assert.Equal("network.max_inbund", e.Key);
        Assert.Equal("node.toml", e.Source);
    }

    [Fact]
    public void Unknown_key_without_a_close_match_gets_no_suggestion()
    {
        Assert.StartsWith("node.toml:2: logging.colour: unknown key (keys of [logging]: level)", Fails("[logging]\ncolour = \"auto\"\n").Message);
    }

    [Fact]
    public void Dotted_keys_inside_a_section_are_unknown_keys()
    {
        Assert.StartsWith("node.toml:2: network.listen.port: unknown key", Fails("[network]\nlisten.port = 5\n").Message);
    }

    [Theory]
    [InlineData("[node]\n[trainig]\nrounds = 3\n", "node.toml:2: trainig: unknown section; did you mean training? (known sections: node, network, overlay, scoring, permission, relay, training, logging)")]
    [InlineData("[netwrk]\n", "node.toml:1: netwrk: unknown section; did you mean network? (known sections: node, network, overlay, scoring, permission, relay, training, logging)")]
    [InlineData("[network.limits]\n", "node.toml:1: network.limits: unknown section (known sections: node, network, overlay, scoring, permission, relay, training, logging)")]
    public void Unknown_sections(string toml, string expected) => Assert.Equal(expected, Fails(toml).Message);

    [Theory]
    [InlineData("data_dir = \"x\"\n", "node.toml:1: data_dir: keys must be inside a section such as [node] or [network]")]
    [InlineData("[[network]]\nmax_inbound = 3\n", "node.toml:1: network: arrays of tables ([[...]]) are not used in this file")]
    public void Structure_errors(string toml, string expected) => Assert.Equal(expected, Fails(toml).Message);

    [Theory]
    [InlineData("[network]\nmax_inbound = \n", 2)]
    [InlineData("[node]\ndata_dir = \"unterminated\n", 2)]
    [InlineData("[node\n", 1)]
    [InlineData("[network]\nmax_inbound = 1\n[network]\nmax_inbound = 2\n", 3)]
    [InlineData("[network]\nmax_inbound = 1\nmax_inbound = 2\n", 3)]
    public void Malformed_toml_reports_the_line(string toml, int line)
    {
        var e = Fails(toml);
        Assert.StartsWith($"node.toml:{line}: invalid TOML: ", e.Message);
        Assert.Equal(line, e.Line);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Missing_file_or_folder_instead_of_file()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "node.toml");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(missing));
        Assert.Equal($"{missing}: file not found", e.Message);
        Assert.Null(e.Line);
        var folder = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Path.GetTempPath()));
        Assert.EndsWith(": is a folder, not a configuration file", folder.Message);
    }

    [Theory]
    [InlineData("[network]\nlisten = [\n  \"127.0.0.1:7700\",\n  \"localhost:7701\",\n]\n",
        "node.toml:4: network.listen[1]: \"localhost:7701\": 'localhost' is not an IP address (listen on 0.0.0.0, [::] or a local interface's address)")]
    [InlineData("[network]\nlisten = [\"127.0.0.1\"]\n", "node.toml:2: network.listen[0]: \"127.0.0.1\": missing ':port' (expected host:port)")]
    [InlineData("[network]\nlisten = [\"::1:7700\"]\n", "node.toml:2: network.listen[0]: \"::1:7700\": an IPv6 address goes in brackets, e.g. [::1]:7700")]
    [InlineData("[network]\nlisten = [\"127.0.0.1:70000\"]\n", "node.toml:2: network.listen[0]: \"127.0.0.1:70000\": port '70000' is not a number between 0 and 65535")]
    [InlineData("[network]\nlisten = [\"127.0.0.256:1\"]\n", "node.toml:2: network.listen[0]: \"127.0.0.256:1\": '127.0.0.256' is not an IPv4 address")]
    [InlineData("[network]\nlisten = [\"127.0.0.1:1\", \"127.0.0.1:1\"]\n", "node.toml:2: network.listen[1]: \"127.0.0.1:1\" is listed twice")]
    [InlineData("[network]\nlisten = []\n", "node.toml:2: network.listen: needs at least one address (e.g. \"0.0.0.0:7700\")")]
    public void Bad_listen_addresses(string toml, string expected) => Assert.Equal(expected, Fails(toml).Message);

    [Theory]
    [InlineData("[network]\nbootstrap = [\n  \"" + ValidPeer + "@10.0.0.1:7700\",\n  \"" + "p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vue" + "@10.0.0.2:7700\",\n]\n",
        "node.toml:4: network.bootstrap[1]: \"p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vue@10.0.0.2:7700\": peer id: checksum mismatch (probably a typo)")]
    [InlineData("[network]\nbootstrap = [\"10.0.0.1:7700\"]\n", "node.toml:2: network.bootstrap[0]: \"10.0.0.1:7700\": expected peerid@host:port (exactly one '@')")]
    [InlineData("[network]\nbootstrap = [\"" + ValidPeer + "@10.0.0.1:0\"]\n",
        "node.toml:2: network.bootstrap[0]: \"p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vui@10.0.0.1:0\": address: port 0 means 'any free port' and only makes sense for listen")]
    [InlineData("[network]\nbootstrap = [\"" + ValidPeer + "@bad_host:1\"]\n",
        "node.toml:2: network.bootstrap[0]: \"p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vui@bad_host:1\": address: 'bad_host' is not a valid host name")]
    public void Bad_bootstrap_entries(string toml, string expected) => Assert.Equal(expected, Fails(toml).Message);

    [Theory]
    [InlineData("[network]\nidle_timeout_ms = 10000\nkeepalive_interval_ms = 10000\n", "node.toml:3: network.keepalive_interval_ms: keepalive_interval_ms (10000) must be less than idle_timeout_ms (10000), or healthy idle links get closed")]
    [InlineData("[network]\nidle_timeout_ms = 10000\n", "node.toml:2: network.idle_timeout_ms: keepalive_interval_ms (15000) must be less than idle_timeout_ms (10000), or healthy idle links get closed")]
    [InlineData("[network]\nmax_inbound = 4\n", "node.toml:2: network.max_inbound: max_inbound_per_address (8) must not exceed max_inbound (4)")]
    [InlineData("[network]\nhandshake_timeout_ms = 60000\n", "node.toml:2: network.handshake_timeout_ms: handshake_timeout_ms (60000) must be less than idle_timeout_ms (60000)")]
    public void Cross_field_rules_point_at_a_key_the_user_set(string toml, string expected) => Assert.Equal(expected, Fails(toml).Message);

    [Theory]
    [InlineData("[logging]\nlevel = \"verbose\"\n", "node.toml:2: logging.level: must be one of trace, debug, information, warning, error; got \"verbose\"")]
    [InlineData("[node]\ndisplay_name = \"tab\\there\"\n", "node.toml:2: node.display_name: must not contain control characters")]
    [InlineData("[node]\ndata_dir = \"\"\n", "node.toml:2: node.data_dir: must not be empty")]
    [InlineData("[node]\nkey_file = \"keys/\"\n", "node.toml:2: node.key_file: names a folder; it must name a file")]
    public void Bad_strings(string toml, string expected) => Assert.Equal(expected, Fails(toml).Message);

    [Fact]
    public void Display_name_length_is_bounded()
    {
        Assert.Equal("node.toml:2: node.display_name: at most 64 characters, got 65", Fails($"[node]\ndisplay_name = \"{new string('x', 65)}\"\n").Message);
    }

    [Theory]
    [InlineData("[scoring]\nban_threshold = 0\n", "node.toml:2: scoring.ban_threshold: must be between -1000000 and -1, got 0")]
    [InlineData("[scoring]\nhalf_life_ms = 10\n", "node.toml:2: scoring.half_life_ms: must be between 1000 and 604800000, got 10")]
    [InlineData("[scoring]\nban_duration_ms = 2592000001\n", "node.toml:2: scoring.ban_duration_ms: must be between 1000 and 2592000000, got 2592000001")]
    [InlineData("[scoring]\nforged_signature_penalty = -5\n", "node.toml:2: scoring.forged_signature_penalty: must be between 0 and 1000000, got -5")]
    [InlineData("[scoring]\ngraylisted_check_interval_ms = 5\n", "node.toml:2: scoring.graylisted_check_interval_ms: must be 0 (never) or between 10 and 3600000, got 5")]
    [InlineData("[scoring]\ngraylisted_check_interval_ms = -1\n", "node.toml:2: scoring.graylisted_check_interval_ms: must be between 0 and 3600000, got -1")]
    [InlineData("[network]\nport_mapping = \"on\"\n", "node.toml:2: network.port_mapping: must be \"off\", \"auto\", \"pcp\", \"natpmp\" or \"upnp\"; got \"on\"")]
    [InlineData("[network]\nport_mapping = true\n", "node.toml:2: network.port_mapping: expected a string, got a boolean (true)")]
    [InlineData("[network]\nbootstrap_file = 3\n", "node.toml:2: network.bootstrap_file: expected a string, got an integer (3)")]
    [InlineData("[scoring]\nframes_per_second = 0\n", "node.toml:2: scoring.frames_per_second: must be between 1 and 10000000, got 0")]
    [InlineData("[scoring]\nenabled = \"yes\"\n", "node.toml:2: scoring.enabled: expected true or false, got a string (\"yes\")")]
    [InlineData("[scoring]\ngraylist_threshold = -40.5\n", "node.toml:2: scoring.graylist_threshold: expected an integer, got a float (-40.5)")]
    public void Bad_scoring_values(string toml, string expected) => Assert.Equal(expected, Fails(toml).Message);

    [Theory]
    [InlineData("[scoring]\ngraylist_threshold = -50\nban_threshold = -20\n",
        "node.toml:3: scoring.ban_threshold: ban_threshold (-20) must not be above graylist_threshold (-50): a peer is graylisted before it is banned")]
    [InlineData("[scoring]\ngraylist_threshold = -200\n",
        "node.toml:2: scoring.graylist_threshold: ban_threshold (-100) must not be above graylist_threshold (-200): a peer is graylisted before it is banned")]
    [InlineData("[scoring]\nbyte_burst = 65536\n",
        "node.toml:2: scoring.byte_burst: byte_burst (65536) must be at least network.max_frame_size (4194304), or a frame of the largest size could never be received")]
    public void Scoring_cross_field_rules(string toml, string expected) => Assert.Equal(expected, Fails(toml).Message);

    [Theory]
    [InlineData("[permission]\nmode = \"closed\"\n", "node.toml:2: permission.mode: must be \"open\" or \"allowlist\"; got \"closed\"")]
    [InlineData("[permission]\nmode = \"allowlist\"\n", "node.toml:2: permission.mode: mode \"allowlist\" admits nobody: set peers, peers_file or federation_key")]
    [InlineData("[permission]\npeers = [\"" + ValidPeer + "\"]\n",
        "node.toml:2: permission.peers: peers, peers_file and federation_key only take effect with mode = \"allowlist\"; set the mode, or remove them")]
    [InlineData("[permission]\nmode = \"allowlist\"\npeers = [\n  \"" + ValidPeer + "\",\n  \"" + ValidPeer + "\",\n]\n",
        "node.toml:5: permission.peers[1]: \"" + ValidPeer + "\" is listed twice")]
    [InlineData("[permission]\nmode = \"allowlist\"\npeers = [\"p2p1nope\"]\n", "node.toml:3: permission.peers[0]: \"p2p1nope\": ")]
    [InlineData("[permission]\nmode = \"allowlist\"\nfederation_key = \"p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vue\"\n",
        "node.toml:3: permission.federation_key: \"p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vue\": checksum mismatch (probably a typo)")]
    [InlineData("[permission]\nmode = \"allowlist\"\npeers_file = \"\"\ncertificate_file = 3\n", "node.toml:4: permission.certificate_file: expected a string, got an integer (3)")]
    public void Bad_permission_values(string toml, string expected) => Assert.StartsWith(expected, Fails(toml).Message);

    [Fact]
    public void Messages_are_a_single_line_whatever_the_reason()
    {
        var e = new ConfigException("a.toml", 3, "node.x", "first\nsecond\r\nthird");
        Assert.Equal("a.toml:3: node.x: first second third", e.Message);
    }
}
