using System.Text.Json.Nodes;

namespace P2PNode.Tests.Runtime;

/// <summary>
/// Issue 14 end to end: five real node processes judge every contribution (`--judge-samples`), node 4 scales its delta
/// by −10 and lies as a judge. Every honest node's ledger must verify (the auditor re-runs each aggregation's judging
/// from the attestations it cites), and every honest node's `ledger report` must flag the attacker, credit it nothing
/// and flag no honest node.
/// </summary>
[Collection("swarm")]
public sealed class JudgingSwarmTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pnode-judging-swarm-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [SkippableFact]
    public async Task FiveNodesExcludeFlagAndCreditNothingToAScalingAttacker()
    {
        Skip.IfNot(File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"), "Fashion-MNIST (Debian dataset-fashion-mnist) is not installed");
        var work = Path.Combine(_dir, "work");
        var json = Path.Combine(_dir, "out.json");
        const int rounds = 4;
        var result = await NodeProcess.RunAsync(
            ["swarm", "--nodes", "5", "--model", "mlp", "--rounds", rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--inner-steps", "5",
             "--no-baselines", "--eval-samples", "0", "--no-overlap", "--judge-samples", "128", "--byzantine", "4:scale", "--json", json, "--work", work],
            timeout: TimeSpan.FromMinutes(6));
        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        Assert.True((bool)report["honest_models_identical"]!, report.ToJsonString());
        Assert.True((bool)report["audit_valid"]!, report.ToJsonString());
        for (var i = 0; i < 4; i++)
        {
            var db = Path.Combine(work, $"node-{i}", "ledger.db");
            var verify = await NodeProcess.RunAsync(["ledger", "verify", db], timeout: TimeSpan.FromMinutes(1));
            Assert.True(verify.ExitCode == 0, $"node {i}: {verify}");
            var text = await NodeProcess.RunAsync(["ledger", "report", db, "--json"], timeout: TimeSpan.FromMinutes(1));
            Assert.True(text.ExitCode == 0, text.ToString());
            var contributors = JsonNode.Parse(string.Join("\n", text.Stdout))!["contributors"]!.AsArray();
            Assert.Equal(5, contributors.Count);
            foreach (var c in contributors)
            {
                var flags = c!["flags"]!.AsObject();
                if ((string)c["display_name"]! == "node-4")
                {
                    Assert.True(flags.ContainsKey("judged_harmful"), $"node {i} does not flag the attacker: {c.ToJsonString()}");
                    Assert.Equal(0UL, (ulong)c["credited_samples"]!);
                    Assert.Equal(rounds, (int)c["judged_harmful"]!);
                }
                else
                {
                    Assert.True(flags.Count == 0, $"node {i} flags an honest node: {c.ToJsonString()}");
                    Assert.True((int)c["attestations_given"]! == 4 * rounds, c.ToJsonString());
                }
            }
        }
    }
}
