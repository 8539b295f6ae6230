using P2PNode.Config;
using P2PNode.Identity;

namespace P2PNode.Tests.Cli;

/// <summary>`p2pnode init` and `p2pnode id` run as real processes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InitCommandTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempFolder _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static string PeerIdLine(NodeResult r)
    {
        var line = Assert.Single(r.Stdout, l => l.StartsWith("peer id: ", StringComparison.Ordinal));
        return PeerId.Parse(line["peer id: ".Length..]).ToString();
    }

    [Fact]
    public async Task Init_creates_a_0600_key_and_the_default_config_and_id_prints_the_same_peer_id()
    {
        var dir = _tmp["node-a"];
        var init = await NodeProcess.RunAsync(["init", "--dir", dir]);
        Assert.True(init.ExitCode == 0, init.ToString());
        var id = PeerIdLine(init);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(dir, "node.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
        Assert.Equal(DefaultConfigFile.Render(".", null), File.ReadAllText(Path.Combine(dir, "node.toml")));
        Assert.Contains("encryption: none", File.ReadAllText(Path.Combine(dir, "node.key")));

        var shown = await NodeProcess.RunAsync(["id", "--dir", dir]);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Equal([id], shown.Stdout);
        Assert.Empty(shown.Stderr);

        var viaConfig = await NodeProcess.RunAsync(["id", "--config", Path.Combine(dir, "node.toml")]);
        Assert.Equal([id], viaConfig.Stdout);
    }

    [Fact]
    public async Task Without_flags_init_and_id_use_the_dot_p2pnode_folder()
    {
        var init = await NodeProcess.RunAsync(["init"], workingDirectory: _tmp.Path);
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.True(File.Exists(_tmp[".p2pnode/node.key"]));
        var shown = await NodeProcess.RunAsync(["id"], workingDirectory: _tmp.Path);
        Assert.Equal([PeerIdLine(init)], shown.Stdout);
    }

    [Fact]
    public async Task Init_never_overwrites_an_existing_key()
    {
        var dir = _tmp["node"];
        var first = await NodeProcess.RunAsync(["init", "--dir", dir]);
        Assert.Equal(0, first.ExitCode);
        var keyBefore = File.ReadAllBytes(Path.Combine(dir, "node.key"));

        foreach (var args in new[] { new[] { "init", "--dir", dir }, ["init", "--dir", dir, "--force-config"] })
        {
            var again = await NodeProcess.RunAsync(args);
            Assert.Equal(2, again.ExitCode);
            Assert.Empty(again.Stdout);
            var error = Assert.Single(again.Stderr);
            Assert.StartsWith($"p2pnode init: key file '{Path.Combine(dir, "node.key")}' already exists; refusing to overwrite", error);
            Assert.Equal(keyBefore, File.ReadAllBytes(Path.Combine(dir, "node.key")));
        }
    }

    [Fact]
    public async Task A_passphrase_file_encrypts_the_key_and_is_recorded_in_the_config()
    {
        var dir = _tmp["enc"];
        var pass = _tmp.Write("pass", "correct horse\n");
        var init = await NodeProcess.RunAsync(["init", "--dir", dir, "--passphrase-file", pass]);
        Assert.True(init.ExitCode == 0, init.ToString());
        var key = File.ReadAllText(Path.Combine(dir, "node.key"));
        Assert.Contains("encryption: argon2id-xchacha20poly1305", key);
        Assert.Contains($"passphrase_file = \"{pass}\"", File.ReadAllText(Path.Combine(dir, "node.toml")));

        var shown = await NodeProcess.RunAsync(["id", "--dir", dir]);
        Assert.Equal([PeerIdLine(init)], shown.Stdout);

        var wrong = _tmp.Write("wrong", "battery staple\n");
        var refused = await NodeProcess.RunAsync(["id", "--dir", dir, "--passphrase-file", wrong]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal([$"p2pnode id: wrong passphrase for key file '{Path.Combine(dir, "node.key")}' (or the file was altered)"], refused.Stderr);
    }

    [Fact]
    public async Task An_existing_config_is_kept_and_decides_where_the_key_goes()
    {
        var dir = _tmp["custom"];
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "node.toml"), "[node]\ndata_dir = \"state\"\nkey_file = \"me.key\"\n");
        var init = await NodeProcess.RunAsync(["init", "--dir", dir]);
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.True(File.Exists(Path.Combine(dir, "state", "me.key")));
        Assert.Equal("[node]\ndata_dir = \"state\"\nkey_file = \"me.key\"\n", File.ReadAllText(Path.Combine(dir, "node.toml")));
        Assert.Contains(init.Stdout, l => l.StartsWith("kept config", StringComparison.Ordinal));
    }
}
