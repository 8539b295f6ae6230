using P2PNode.Tests.Cli;
using P2PNode.Tests.Transport;

namespace P2PNode.Tests.Overlay;

/// <summary>
/// network.bootstrap_file on real processes: a node whose only contact is an entry of bootstrap/peers.toml
/// (the default path, next to its node.toml) joins the overlay through it; a broken or missing named file stops
/// `p2pnode run` with exit code 2 and one line naming the file and the line.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BootstrapFileTests
{
    private static bool IsListeningLine(string l) => l.StartsWith("node ", StringComparison.Ordinal) && l.Contains(" listening on ", StringComparison.Ordinal);

    private static async Task<TempFolder> InitAsync()
    {
        var dir = new TempFolder();
        var init = await NodeProcess.RunAsync(["init", "--dir", dir.Path]);
        Assert.True(init.ExitCode == 0, init.ToString());
        return dir;
    }

    [Fact]
    public async Task A_node_finds_its_first_peer_only_through_bootstrap_peers_toml()
    {
        var probe = new OverlayProbe(TimeSpan.FromSeconds(120));
        await using var a = new RunningNode();
        await a.InitializeAsync();
        using var dir = await InitAsync();
        Directory.CreateDirectory(Path.Combine(dir.Path, "bootstrap"));
        File.WriteAllText(Path.Combine(dir.Path, "bootstrap", "peers.toml"),
            $"# test list\n[[peer]]\naddress = \"{a.PeerId}@{a.Address}\"\nname = \"a\"\norganisation = \"Test Lab\"\n");

        // node.toml from init: bootstrap = [], bootstrap_file = "bootstrap/peers.toml"; no --bootstrap.
        await using var b = NodeProcess.Start(["run", "--config", dir["node.toml"], "--listen", "127.0.0.1:0"]);
        var self = (await b.WaitForLineAsync(IsListeningLine, probe.Left)).Split(' ')[1];
        await b.WaitForLogAsync(l => l.Contains("peers.toml: 1 peer(s), 1 added to the 0 of network.bootstrap", StringComparison.Ordinal), probe.Left);
        await probe.WaitForViewsAsync([b], v => v.Contains(a.PeerId), "the node to join through the peer of its bootstrap file");
        await probe.WaitForViewsAsync([a.Process], v => v.Contains(self), "the listed peer to take the newcomer into its view");
        var id = await probe.PublishAsync(a, "via-peers-toml");
        await b.WaitForLineAsync(l => l.StartsWith($"delivered {id} from {a.PeerId} ", StringComparison.Ordinal), probe.Left);
    }

    [Fact]
    public async Task A_missing_default_file_is_only_logged_and_a_loopback_node_skips_port_mapping()
    {
        using var dir = await InitAsync();
        await using var node = NodeProcess.Start(["run", "--config", dir["node.toml"], "--listen", "127.0.0.1:0"]);
        await node.WaitForLineAsync(IsListeningLine, TimeSpan.FromSeconds(60));
        var expected = Path.Combine(dir.Path, "bootstrap", "peers.toml");
        await node.WaitForLogAsync(l => l.Contains($"bootstrap file {expected} not found", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.False(node.HasExited);
        // The default network.port_mapping = "auto" never touches the network for a loopback-only node.
        await node.WaitForLineAsync(l => l.StartsWith("port mapping skipped no IPv4 listen address other than loopback", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("[[peer]]\naddress = \"p2p1notanid@h:1\"\n", 2, "peer[0].address: \"p2p1notanid@h:1\": peer id: ")]
    [InlineData("[[peer]]\naddress = \"x\"\nport = 7700\n", 3, "peer[0].port: unknown key (keys of [[peer]]: address, name, organisation)")]
    [InlineData("[[peer]\n", 1, "invalid TOML: ")]
    public async Task A_broken_bootstrap_file_stops_the_node_with_its_file_and_line(string content, int line, string reason)
    {
        using var dir = await InitAsync();
        Directory.CreateDirectory(Path.Combine(dir.Path, "bootstrap"));
        var file = Path.Combine(dir.Path, "bootstrap", "peers.toml");
        File.WriteAllText(file, content);
        var run = await NodeProcess.RunAsync(["run", "--config", dir["node.toml"], "--listen", "127.0.0.1:0"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 2, run.ToString());
        var error = Assert.Single(run.Stderr, l => l.Length > 0);
        Assert.StartsWith($"p2pnode run: {file}:{line}: {reason}", error);
        Assert.DoesNotContain(run.Stdout, IsListeningLine);
    }

    [Fact]
    public async Task A_missing_file_the_operator_named_is_an_error()
    {
        using var dir = await InitAsync();
        var config = dir["node.toml"];
        File.WriteAllText(config, File.ReadAllText(config).Replace("bootstrap_file = \"bootstrap/peers.toml\"", "bootstrap_file = \"federation-peers.toml\"", StringComparison.Ordinal));
        var run = await NodeProcess.RunAsync(["run", "--config", config, "--listen", "127.0.0.1:0"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"p2pnode run: {Path.Combine(dir.Path, "federation-peers.toml")}: file not found (named by network.bootstrap_file)", Assert.Single(run.Stderr, l => l.Length > 0));
    }
}
