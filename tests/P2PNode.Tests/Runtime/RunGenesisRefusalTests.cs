using System.Text.Json.Nodes;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Training.Runtime;

namespace P2PNode.Tests.Runtime;

/// <summary>
/// docs/runtime.md §1: a joining node parses the genesis hyperparameters and refuses a run whose hyperparameters are
/// invalid — visibly (a `failed` event, docs/runtime.md §8), not by silently never training. The genesis here was
/// written by a hand-made creator straight into the node's ledger (as if replicated from a peer).
/// </summary>
public sealed class RunGenesisRefusalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pnode-genesis-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("unknown_key", "unknown field")]
    [InlineData("bad_codec", "bogus")]
    [InlineData("bad_rounds", "rounds")]
    public async Task AJoiningNodeReportsAnInvalidGenesisAsFailed(string defect, string mention)
    {
        var init = await NodeProcess.RunAsync(["init", "--dir", _dir]);
        Assert.True(init.ExitCode == 0, init.ToString());
        var hyper = JsonNode.Parse(new RunSpec { Model = "mlp" }.ToJson())!.AsObject();
        switch (defect)
        {
            case "unknown_key": hyper["unknown_key"] = 1; break;
            case "bad_codec": hyper["codec"] = "bogus"; break;
            default: hyper["rounds"] = 0; break;
        }
        byte[] run;
        using (var creator = NodeIdentity.Generate())
        using (var ledger = LedgerStore.Open(Path.Combine(_dir, "ledger.db")))
        {
            run = ledger.AppendOwn(creator.SigningKey, new RunGenesisBody
            {
                Name = "bad", Model = "mlp/v1 in=1x28x28 hidden=256 layers=2 classes=10", Hyperparameters = hyper.ToJsonString(),
                DataPolicy = "", InitialModel = new byte[32],
            }, new byte[32]).Hash;
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        await using var node = NodeProcess.Start(["run", "--config", Path.Combine(_dir, "node.toml"), "--listen", "127.0.0.1:0",
            "--run", Convert.ToHexStringLower(run), "--exit-when-done"]);
        var failed = await node.WaitForLineAsync(l => l.StartsWith("{\"event\":\"failed\"", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains(mention, failed, StringComparison.Ordinal);
    }
}
