namespace P2PNode.Tests.Runtime;

/// <summary>docs/runtime.md §1: bad run ids and out-of-range run settings are usage errors (exit 2) with a
/// message naming what is wrong, before anything is started or written.</summary>
public sealed class RunCommandUsageTests
{
    [Theory]
    [InlineData("zz12", "64 hex digits")]
    [InlineData("abcd", "64 hex digits")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg", "64 hex digits")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef00", "64 hex digits")]
    public async Task RunWithABadRunIdIsAUsageError(string id, string mention)
    {
        var r = await NodeProcess.RunAsync(["run", "--run", id]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(r.Stderr, l => l.Contains("--run", StringComparison.Ordinal) && l.Contains(mention, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--quorum", "2", "quorum")]
    [InlineData("--quorum", "0", "quorum")]
    [InlineData("--rounds", "0", "rounds")]
    [InlineData("--codec", "bogus", "bogus")]
    [InlineData("--model", "resnet", "resnet")]
    public async Task RunNewWithAnOutOfRangeSettingIsAUsageError(string flag, string value, string mention)
    {
        var dir = Directory.CreateTempSubdirectory("p2pnode-runnew-").FullName;
        try
        {
            var r = await NodeProcess.RunAsync(["run", "new", flag, value], workingDirectory: dir);
            Assert.True(r.ExitCode == 2, r.ToString());
            Assert.Contains(r.Stderr, l => l.Contains(mention, StringComparison.Ordinal));
            Assert.DoesNotContain(r.Stdout, l => l.StartsWith("run ", StringComparison.Ordinal));
            Assert.Empty(Directory.GetFiles(dir, "ledger.db", SearchOption.AllDirectories));
        }
        finally { Directory.Delete(dir, true); }
    }
}
