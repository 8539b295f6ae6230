using P2PNode.Config;
using P2PNode.Identity;

namespace P2PNode.Core.Tests.Config;

/// <summary>bootstrap/peers.toml: the format, each kind of error with file and line, and the shipped file.</summary>
public class BootstrapPeersFileTests
{
    private static readonly string A = NodeIdentity.Generate().PeerId.ToString();
    private static readonly string B = NodeIdentity.Generate().PeerId.ToString();

    private static ConfigException Fails(string text) => Assert.Throws<ConfigException>(() => BootstrapPeersFile.Parse(text, "peers.toml"));

    [Fact]
    public void Peers_with_notes_parse_in_file_order()
    {
        var entries = BootstrapPeersFile.Parse($"""
            # published list
            [[peer]]
            address = "{A}@nodes.example.org:7700"
            name = "example-1"
            organisation = "Example Statistics Office"

            [[peer]]
            address = "{B}@[2001:db8::1]:7701"
            """, "peers.toml");
        Assert.Equal(2, entries.Count);
        Assert.Equal(new BootstrapPeer(PeerId.Parse(A), "nodes.example.org", 7700), entries[0].Peer);
        Assert.Equal(("example-1", "Example Statistics Office", 2), (entries[0].Name, entries[0].Organisation, entries[0].Line));
        Assert.Equal(new BootstrapPeer(PeerId.Parse(B), "2001:db8::1", 7701), entries[1].Peer);
        Assert.Equal((null, null, 7), (entries[1].Name, entries[1].Organisation, entries[1].Line));
    }

    [Fact]
    public void An_empty_or_comment_only_file_has_no_entries()
    {
        Assert.Empty(BootstrapPeersFile.Parse("", "peers.toml"));
        Assert.Empty(BootstrapPeersFile.Parse("# nothing yet\n", "peers.toml"));
    }

    [Fact]
    public void The_shipped_file_parses_and_is_empty()
    {
        Assert.Empty(BootstrapPeersFile.Load(Path.Combine(RepoRoot.Path, "bootstrap", "peers.toml")));
    }

    [Fact]
    public void Bad_toml_names_the_line()
    {
        var e = Fails($"[[peer]]\naddress = \"{A}@h:1\"\nname = \"unterminated\n");
        Assert.Equal(("peers.toml", 3), (e.Source, e.Line));
        Assert.StartsWith("peers.toml:3: invalid TOML: ", e.Message);
    }

    [Fact]
    public void Unknown_key_names_the_line_and_the_known_keys()
    {
        var e = Fails($"[[peer]]\naddress = \"{A}@h:1\"\ncontact = \"ops@example.org\"\n");
        Assert.Equal("peers.toml:3: peer[0].contact: unknown key (keys of [[peer]]: address, name, organisation)", e.Message);
    }

    [Theory]
    [InlineData("[peer]\naddress = \"x\"\n", "peers.toml:1: peer: only [[peer]] tables are allowed here, got [peer]")]
    [InlineData("[[peers]]\n", "peers.toml:1: peers: only [[peer]] tables are allowed here, got [[peers]]")]
    [InlineData("address = \"x\"\n", "peers.toml:1: address: keys must be inside a [[peer]] table")]
    [InlineData("[[peer]]\nname = \"n\"\n", "peers.toml:1: peer[0]: has no address (address = \"peerid@host:port\")")]
    [InlineData("[[peer]]\naddress = 7700\n", "peers.toml:2: peer[0].address: expected a string")]
    public void Wrong_shapes(string text, string expected) => Assert.Equal(expected, Fails(text).Message);

    [Fact]
    public void Bad_address_names_the_line()
    {
        var e = Fails($"[[peer]]\nname = \"x\"\naddress = \"{A}@host\"\n");
        Assert.Equal(3, e.Line);
        Assert.StartsWith($"peers.toml:3: peer[0].address: \"{A}@host\": address: ", e.Message);
        Assert.StartsWith("peers.toml:2: peer[0].address: \"nodes.example.org:7700\": expected peerid@host:port", Fails("[[peer]]\naddress = \"nodes.example.org:7700\"\n").Message);
    }

    [Fact]
    public void A_peer_id_with_a_wrong_checksum_is_refused()
    {
        // Change one character of the id: its checksum no longer matches.
        var last = A[^1] == 'a' ? 'b' : 'a';
        var typo = A[..^1] + last;
        var e = Fails($"[[peer]]\naddress = \"{A}@h:1\"\n\n[[peer]]\naddress = \"{typo}@h:2\"\n");
        Assert.Equal(5, e.Line);
        Assert.Contains("peer[1].address", e.Message);
        Assert.Contains("peer id: ", e.Message);
        Assert.False(PeerId.TryParse(typo, out _, out _));
    }

    [Fact]
    public void A_peer_listed_twice_is_refused_with_both_lines()
    {
        var e = Fails($"[[peer]]\naddress = \"{A}@h:1\"\n[[peer]]\naddress = \"{A}@other:2\"\n");
        Assert.Equal($"peers.toml:3: peer[1].address: peer {A} is listed twice (first at line 1)", e.Message);
    }

    [Fact]
    public void Notes_are_bounded_and_printable()
    {
        Assert.Equal("peers.toml:3: peer[0].name: at most 64 characters, got 65",
            Fails($"[[peer]]\naddress = \"{A}@h:1\"\nname = \"{new string('n', 65)}\"\n").Message);
        Assert.Equal("peers.toml:3: peer[0].organisation: must not contain control characters",
            Fails($"[[peer]]\naddress = \"{A}@h:1\"\norganisation = \"a\\tb\"\n").Message);
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_the_key()
    {
        var path = Path.Combine(Path.GetTempPath(), "p2pnode-no-such-" + Guid.NewGuid().ToString("N"), "peers.toml");
        var e = Assert.Throws<ConfigException>(() => BootstrapPeersFile.Load(path));
        Assert.Equal($"{path}: file not found (named by network.bootstrap_file)", e.Message);
    }
}
