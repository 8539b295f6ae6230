using P2PNode.Cli.Commands;
using P2PNode.Cli.Swarm;
using P2PNode.Training.Byzantine;

namespace P2PNode.Tests.Cli;

/// <summary>`p2pnode swarm --byzantine I:MODE,... --without I,...` (issue 14), parsed without starting a swarm.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SwarmDishonestyFlagsTests
{
    private static (IReadOnlyDictionary<int, AttackMode> Byzantine, IReadOnlySet<int> Without) Parse(params string[] argv) =>
        SwarmCommand.Dishonesty(new Args(argv), 8);

    [Fact]
    public void AttackersAndLeftOutNodesAreParsed()
    {
        var (byzantine, without) = Parse("--byzantine", "6:signflip,7:signflip");
        Assert.Equal([6, 7], byzantine.Keys.Order());
        Assert.All(byzantine.Values, m => Assert.Equal(AttackMode.SignFlip, m));
        Assert.Empty(without);
        Assert.Equal([6, 7], Parse("--without", "7,6").Without.Order());
    }

    [Theory]
    [InlineData("--byzantine", "8:zero", "does not exist")]
    [InlineData("--byzantine", "3:lie", "unknown attack mode")]
    [InlineData("--without", "0", "node 0 creates the run")]
    [InlineData("--without", "8", "1..7")]
    [InlineData("--without", "3,3", "distinct")]
    public void BadValuesAreUsageErrors(string flag, string value, string message)
    {
        var e = Assert.Throws<UsageException>(() => Parse(flag, value));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANodeLeftOutCannotAlsoAttack() =>
        Assert.Contains("also given --byzantine", Assert.Throws<UsageException>(() => Parse("--byzantine", "6:zero", "--without", "6")).Message, StringComparison.Ordinal);

    [Fact]
    public async Task ANodeLeftOutCannotBeKilled()
    {
        var r = await NodeProcess.RunAsync(["swarm", "--nodes", "4", "--without", "3", "--kill", "3@2"]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(r.Stderr, l => l.Contains("node 3 is left out (--without)", StringComparison.Ordinal));
    }
}
