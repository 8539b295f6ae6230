using System.Text.Json.Nodes;

namespace P2PNode.Tests.Runtime;

/// <summary>
/// One small language-model swarm shared by the tests of <see cref="LanguageModelSwarmTests"/> (it is the expensive
/// part): three real node processes, the tiny preset, three languages, one of them low-resource, and node 1's training
/// thread made to fail at round 1 (the swarm must restart it). Baselines are off; the table is checked elsewhere.
/// </summary>
public sealed class LanguageModelSwarmFixture : IAsyncLifetime
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("p2pnode-lm-swarm-").FullName;
    public string Work => Path.Combine(Dir, "work");
    public NodeResult Result { get; private set; } = null!;
    public JsonObject Report { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var json = Path.Combine(Dir, "out.json");
        Result = await NodeProcess.RunAsync(
            ["swarm", "--nodes", "3", "--model", "lm", "--preset", "tiny", "--languages", "en,de,ja", "--corpus-bytes", "40000",
             "--low-resource", "2", "--rounds", "3", "--inner-steps", "5", "--batch", "8", "--eval-samples", "8", "--no-overlap",
             "--codec", "topk:0.05+int8/64", "--no-baselines", "--fail", "1@1", "--json", json, "--work", Work],
            timeout: TimeSpan.FromMinutes(8));
        if (File.Exists(json)) Report = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
