using System.Globalization;
using System.Text.Json.Nodes;

namespace P2PNode.Tests.Runtime;

/// <summary>
/// The language model end to end (docs/runtime.md, docs/training.md): real processes train the tiny lm/v2 on three
/// languages, survive a failed training thread, agree on one model and leave valid ledgers; the model is exported with
/// the ledger entries that vouch for it and sampled reproducibly.
/// </summary>
[Collection("swarm")]
public sealed class LanguageModelSwarmTests(LanguageModelSwarmFixture swarm) : IClassFixture<LanguageModelSwarmFixture>
{
    private static bool HasCorpora => File.Exists("/usr/share/debian-reference/debian-reference.ja.txt.gz");

    [SkippableFact]
    public void NodesAgreeLearnAndAuditCleanAfterAFailedNodeIsRestarted()
    {
        Skip.IfNot(HasCorpora, "the Debian Reference texts (debian-reference-en, -de, -ja) are not installed");
        Assert.True(swarm.Result.ExitCode == 0, swarm.Result.ToString());
        var report = swarm.Report;
        Assert.True((bool)report["models_identical"]!, report.ToJsonString());
        Assert.True((bool)report["audit_valid"]!, report.ToJsonString());
        Assert.Equal(1, (int)report["failures_restarted"]!);
        var nodes = report["per_node"]!.AsArray();
        Assert.Equal(2, (int)nodes[1]!["starts"]!);
        Assert.Contains("injected failure", nodes[1]!["failures"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        var languages = report["language_model"]!["languages"]!.AsArray();
        Assert.Equal(["en", "de", "ja"], languages.Select(l => l!["language"]!.GetValue<string>()));
        Assert.True((bool)languages[2]!["low_resource"]!);
        foreach (var l in languages)
        {
            // Uniform guessing over 256 bytes is 8 bits per byte: three short rounds already do better.
            var bits = (double)l!["shared_bits_per_byte"]!;
            Assert.InRange(bits, 0.5, 7.9);
            Assert.Equal(3, l["round_timings"]!.AsArray().Count);
        }
    }

    [SkippableFact]
    public async Task TheExportNamesTheAggregationsThatMadeItAndGeneratesReproducibly()
    {
        Skip.IfNot(HasCorpora, "the Debian Reference texts are not installed");
        Assert.True(swarm.Result.ExitCode == 0, swarm.Result.ToString());
        var export = Path.Combine(swarm.Dir, "export");
        var result = await NodeProcess.RunAsync(["export", "--config", Path.Combine(swarm.Work, "node-0", "node.toml"), "--out", export]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(export, "config.json")))!;
        var provenance = JsonNode.Parse(File.ReadAllText(Path.Combine(export, "provenance.json")))!;
        Assert.Equal(2, (int)config["round"]!); // the last of three rounds
        Assert.Equal("lm", config["kind"]!.GetValue<string>());
        Assert.StartsWith("lm/v2 tokenizer=bytes", config["spec"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(config["model_hash"]!.GetValue<string>(), provenance["model_hash"]!.GetValue<string>());
        // Each node that computed this final model recorded an Aggregation entry of round 2 with it as the result (a node
        // that had diverged after the injected failure and took its peers' model at the end records none), each naming
        // the contributions it averaged, with their authors and sample counts.
        var aggregations = provenance["aggregations"]!.AsArray();
        Assert.InRange(aggregations.Count, 1, 3);
        Assert.All(aggregations, a =>
        {
            Assert.Equal(2, (int)a!["round"]!);
            Assert.NotEmpty(a["used"]!.AsArray());
            Assert.All(a["used"]!.AsArray(), u => Assert.True((long)u!["samples"]! > 0 && u["author"] is not null, u!.ToJsonString()));
        });
        // The entries named are in the ledger: the auditor's inclusion proof finds each one.
        var ledger = Path.Combine(swarm.Work, "node-0", "ledger.db");
        foreach (var a in aggregations)
        {
            var prove = await NodeProcess.RunAsync(["ledger", "prove", ledger, $"{a!["author_key"]!.GetValue<string>()}:{(long)a["seq"]!}"]);
            Assert.True(prove.ExitCode == 0, prove.ToString());
            Assert.Contains(a["entry_hash"]!.GetValue<string>(), string.Join('\n', prove.Stdout), StringComparison.Ordinal);
        }

        string[] generate = ["generate", "--model", export, "--prompt", "Debian ", "--max-bytes", "40", "--seed", "7", "--threads", "1"];
        var first = await NodeProcess.RunAsync(generate);
        var second = await NodeProcess.RunAsync(generate);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.StartsWith("Debian ", first.Stdout[0], StringComparison.Ordinal);
        Assert.Equal(first.Stdout, second.Stdout);
    }

    [SkippableFact]
    public async Task ExportRefusesANonEmptyFolderAndNamesTheRunWhenThereAreSeveral()
    {
        Skip.IfNot(HasCorpora, "the Debian Reference texts are not installed");
        var target = Path.Combine(swarm.Dir, "occupied");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "keep.txt"), "mine");
        var result = await NodeProcess.RunAsync(["export", "--config", Path.Combine(swarm.Work, "node-1", "node.toml"), "--out", target]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not empty", string.Join('\n', result.Stderr), StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "keep.txt")));
    }
}
