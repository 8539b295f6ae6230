using System.Globalization;
using System.Text.Json.Nodes;

namespace P2PNode.Tests.Runtime;

/// <summary>
/// docs/runtime.md §9 end to end: `p2pnode swarm` starts three real node processes on loopback that train one MLP
/// on Fashion-MNIST with no coordinator; they must end with the same model, learn well above chance, send bytes,
/// and leave ledgers that `p2pnode ledger verify` accepts.
/// </summary>
[Collection("swarm")]
public sealed class SwarmTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pnode-swarm-test-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [SkippableFact]
    public async Task ThreeNodeSwarmAgreesLearnsAndAuditsClean()
    {
        Skip.IfNot(File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"), "Fashion-MNIST (Debian dataset-fashion-mnist) is not installed");
        var json = Path.Combine(_dir, "out.json");
        var work = Path.Combine(_dir, "work");
        var result = await NodeProcess.RunAsync(
            ["swarm", "--nodes", "3", "--model", "mlp", "--rounds", "3", "--inner-steps", "5", "--no-baselines", "--eval-samples", "200",
             "--json", json, "--work", work], timeout: TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(json), result.ToString());

        var report = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        Assert.True((bool)report["models_identical"]!, report.ToJsonString());
        Assert.True((bool)report["audit_valid"]!, report.ToJsonString());
        Assert.Equal(3, (int)report["nodes"]!);
        Assert.Equal(3, (int)report["spec"]!["rounds"]!);
        var perNode = report["per_node"]!.AsArray();
        Assert.Equal(3, perNode.Count);
        foreach (var n in perNode)
        {
            var accuracy = (double)n!["accuracy"]!;
            Assert.True(accuracy > 0.3, string.Create(CultureInfo.InvariantCulture, $"node {n["node"]}: accuracy {accuracy} (chance is 0.1)"));
            Assert.True((long)n["bytes_sent"]! > 0, n.ToJsonString());
            Assert.True((bool)n["audit_valid"]!, n.ToJsonString());
            Assert.Equal(3, (int)n["audit_authors"]!);
            Assert.Equal(3, n["accuracy_by_round"]!.AsObject().Count);
        }
        // Identical models score identically on the same full test set.
        Assert.Single(perNode.Select(n => (double)n!["accuracy"]!).Distinct());

        // Each node's own ledger database passes the standalone auditor.
        for (var i = 0; i < 3; i++)
        {
            var db = Path.Combine(work, $"node-{i}", "ledger.db");
            Assert.True(File.Exists(db), db);
            Assert.True(File.Exists(Path.Combine(work, $"node-{i}", "state.bin")));
            var verify = await NodeProcess.RunAsync(["ledger", "verify", db], timeout: TimeSpan.FromMinutes(1));
            Assert.True(verify.ExitCode == 0, $"node {i}: {verify}");
        }
    }
}
