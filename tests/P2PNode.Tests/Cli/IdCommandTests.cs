namespace P2PNode.Tests.Cli;

/// <summary>Configuration and usage errors: exit code 2 and exactly one line on stderr.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class IdCommandTests : IDisposable
{
    private readonly TempFolder _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static void AssertFails(NodeResult r, string expectedStderr)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Empty(r.Stdout);
        Assert.Equal([expectedStderr], r.Stderr);
    }

    [Fact]
    public async Task A_broken_config_exits_2_with_file_line_and_key()
    {
        var config = _tmp.Write("broken.toml", "[network]\n# too few\nmax_inbound = 0\n");
        AssertFails(await NodeProcess.RunAsync(["id", "--config", config]),
            $"p2pnode id: {config}:3: network.max_inbound: must be between 1 and 100000, got 0");
    }

    [Fact]
    public async Task Malformed_toml_and_missing_files_exit_2()
    {
        var config = _tmp.Write("bad.toml", "[node]\ndata_dir = \"unterminated\n");
        var bad = await NodeProcess.RunAsync(["id", "--config", config]);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith($"p2pnode id: {config}:2: invalid TOML: ", Assert.Single(bad.Stderr));

        AssertFails(await NodeProcess.RunAsync(["id", "--config", _tmp["nope.toml"]]), $"p2pnode id: {_tmp["nope.toml"]}: file not found");
        AssertFails(await NodeProcess.RunAsync(["id"], workingDirectory: _tmp.Path),
            "p2pnode id: node.toml: file not found here or in .p2pnode/ (run 'p2pnode init', or pass --config F or --dir D)");
    }

    [Fact]
    public async Task Bad_overrides_and_usage_errors_exit_2()
    {
        var dir = _tmp["node"];
        Assert.Equal(0, (await NodeProcess.RunAsync(["init", "--dir", dir])).ExitCode);

        AssertFails(await NodeProcess.RunAsync(["id", "--dir", dir, "--listen", "127.0.0.1"]),
            "p2pnode id: command line: network.listen[0]: \"127.0.0.1\": missing ':port' (expected host:port)");
        AssertFails(await NodeProcess.RunAsync(["id", "--dir", dir, "--bogus"]), "p2pnode id: unknown option --bogus");
        AssertFails(await NodeProcess.RunAsync(["id", "--dir", dir, "--config", "x.toml"]), "p2pnode id: --config and --dir are alternatives; give one");
        AssertFails(await NodeProcess.RunAsync(["init", "--dir", dir, "stray"]), "p2pnode init: unexpected argument 'stray'");
    }

    [Fact]
    public async Task A_key_readable_by_others_is_refused_like_ssh()
    {
        var dir = _tmp["node"];
        Assert.Equal(0, (await NodeProcess.RunAsync(["init", "--dir", dir])).ExitCode);
        var key = Path.Combine(dir, "node.key");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        AssertFails(await NodeProcess.RunAsync(["id", "--dir", dir]),
            $"p2pnode id: permissions 0644 for key file '{key}' are too open: it must not be accessible by group or others (run: chmod 600 '{key}')");
    }

    [Fact]
    public async Task Data_dir_override_points_at_another_nodes_key()
    {
        var a = _tmp["a"];
        var b = _tmp["b"];
        var initA = await NodeProcess.RunAsync(["init", "--dir", a]);
        var initB = await NodeProcess.RunAsync(["init", "--dir", b]);
        var idB = Assert.Single(initB.Stdout, l => l.StartsWith("peer id: ", StringComparison.Ordinal))["peer id: ".Length..];
        Assert.DoesNotContain($"peer id: {idB}", initA.Stdout);
        var shown = await NodeProcess.RunAsync(["id", "--dir", a, "--data-dir", b]);
        Assert.Equal([idB], shown.Stdout);
    }
}
