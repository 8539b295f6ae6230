namespace P2PNode.Tests.Cli;

/// <summary>`--help` and `-h` print a command's usage on stdout and exit 0, before any option is parsed (they
/// used to be "unknown option"); the README shows them.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HelpTests
{
    [Theory]
    [InlineData("run", "--help", "usage: p2pnode run [--config F | --dir D]")]
    [InlineData("init", "--help", "usage: p2pnode init [--dir D]")]
    [InlineData("id", "-h", "usage: p2pnode id [--config F | --dir D]")]
    [InlineData("ping", "--help", "usage: p2pnode ping <host:port>")]
    [InlineData("nat", "-h", "usage: p2pnode nat map|query")]
    [InlineData("sim", "--help", "usage: p2pnode sim overlay")]
    [InlineData("swarm", "--help", "usage: p2pnode swarm --nodes N")]
    [InlineData("train", "-h", "usage: p2pnode train --local")]
    [InlineData("export", "--help", "usage: p2pnode export")]
    [InlineData("generate", "--help", "usage: p2pnode generate --model")]
    [InlineData("tokenizer", "--help", "usage: p2pnode tokenizer info")]
    public async Task Help_prints_the_usage_and_exits_0(string command, string flag, string usage)
    {
        var r = await NodeProcess.RunAsync([command, flag]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Empty(r.Stderr);
        Assert.StartsWith(usage, r.Stdout[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_wins_over_other_options_and_names_the_ledger_verb()
    {
        // Even next to an option the command would refuse, and after a ledger verb.
        var run = await NodeProcess.RunAsync(["run", "--no-such-option", "--help"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var verify = await NodeProcess.RunAsync(["ledger", "verify", "--help"]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.StartsWith("usage: p2pnode ledger verify <ledger.db|export.jsonl> [--min-witnesses N]", verify.Stdout[0], StringComparison.Ordinal);
        var bad = await NodeProcess.RunAsync(["run", "--no-such-option"]);
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public void The_readme_shows_help()
    {
        var readme = File.ReadAllText(Path.Combine(NodeProcess.RepoRoot, "README.md"));
        Assert.Contains("p2pnode run --help", readme, StringComparison.Ordinal);
    }
}
