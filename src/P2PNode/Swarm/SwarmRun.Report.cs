using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PNode.Ledger.Audit;
using P2PNode.Training.Byzantine;
using P2PNode.Training.Data;
using P2PNode.Training.Runtime;
using P2PNode.Training.Simulation;
using P2PNode.Training.Trainer;

namespace P2PNode.Cli.Swarm;

internal sealed partial class SwarmRun
{
    private sealed record Baselines(double? Centralized, long CentralizedSamples, JsonObject[] Alone, IReadOnlyList<CentralizedLanguageModel.Point>? CentralizedCurve = null);

    /// <summary>
    /// Each node alone: N processes side by side (the swarm's own CPU sharing), same shard, steps and optimizer, no
    /// network. Then the centralized model trained on all data for the swarm's total number of samples.
    /// </summary>
    private async Task<Baselines> BaselinesAsync()
    {
        Console.WriteLine($"baselines: {o.Nodes} nodes alone on their {(o.LanguageModel ? "text" : "shards")} (side by side), then centralized on all data");
        var alone = Enumerable.Range(0, o.Nodes).Select(i => new NodeProcess($"alone-{i}", Path.Combine(o.WorkDir, $"alone-{i}.log"),
            ["swarm", "alone", "--shard", $"{i}/{o.Nodes}", "--split", o.Split.ToString(), "--spec", o.Spec.ToJson(), "--curve-every", Str(o.CurveEvery),
             .. o.Data is null ? Array.Empty<string>() : ["--data", o.Data], .. o.LanguageModel ? o.CorpusArgs(i) : Array.Empty<string>()])).ToList();
        var results = new JsonObject[o.Nodes];
        for (var i = 0; i < o.Nodes; i++)
        {
            var code = await alone[i].WaitAsync(o.Timeout);
            results[i] = alone[i].Events.FirstOrDefault(e => (string?)e["event"] == "alone")
                ?? throw new InvalidOperationException($"alone baseline {i} failed ({code}); see {o.WorkDir}/alone-{i}.log");
            alone[i].Dispose();
        }
        if (o.LanguageModel)
        {
            var curve = await Task.Factory.StartNew(() =>
            {
                TorchSharp.torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
                var tasks = Enumerable.Range(0, o.Nodes).Select(i => LanguageModelData.Load(o.Spec.ModelSpec(), o.CorpusSettingsOf(i), o.Spec.Seed * 1000 + i)).ToList();
                return CentralizedLanguageModel.Run(o.Spec, tasks, o.CurveEvery);
            }, TaskCreationOptions.LongRunning);
            return new Baselines(null, (long)o.Nodes * o.Spec.InnerSteps * o.Spec.Rounds * o.Spec.BatchSize, results, curve);
        }
        var (centralized, samples) = await Task.Factory.StartNew(() =>
        {
            TorchSharp.torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
            var train = FashionMnist.Load("train", o.Data);
            var test = FashionMnist.Load("t10k", o.Data);
            var s = o.Spec;
            var steps = (long)o.Nodes * s.InnerSteps * s.Rounds;
            var (eval, n, _) = CentralizedBaseline.Run(train, test, s.ModelSpec(), s.Seed, steps, s.BatchSize, s.InnerLearningRate, "cpu");
            return ((double?)(eval.Accuracy ?? double.NaN), n);
        }, TaskCreationOptions.LongRunning);
        return new Baselines(centralized, samples, results);
    }

    private int Summarize(List<(int Node, AuditReport Report)> audits, Baselines? b)
    {
        var s = o.Spec;
        var parameters = GenesisModel.Describe(s.ModelSpec(), s.Seed).Parameters;
        var dense = AllReduceCost.BytesPerWorker(o.Nodes, parameters, (long)s.InnerSteps * s.Rounds);
        var nodes = new JsonArray();
        var lm = o.LanguageModel;
        // Classification: accuracy in % (higher is better). Language model: bits per byte on the node's own held-out
        // text (lower is better; the gain is alone − swarm).
        var (metric, unit, scale) = lm ? ("bits/byte", "", 1.0) : ("accuracy", "%", 100.0);
        Console.WriteLine();
        Console.WriteLine($"{"node",-7} {metric,9} {"alone",8} {"gain",7} {"sent MB",8} {"x fewer",8} {"samples/s",9} {"alone/s",8} {"ratio",6} {"audit",-28}");
        foreach (var i in o.PresentNodes)
        {
            var t = _tally[i];
            var acc = lm ? t.FinalBitsPerByte : t.FinalAccuracy;
            var alone = b?.Alone[i];
            var aloneAcc = alone?[lm ? "bits_per_byte" : "accuracy"] is { } av ? (double)av : double.NaN;
            var gain = lm ? aloneAcc - acc : acc - aloneAcc;
            var aloneRate = alone is null ? double.NaN : (double)alone["samples_per_s"]!;
            var audit = audits.First(x => x.Node == i).Report;
            var verdict = audit.Valid ? $"valid ({audit.Entries} entries, {audit.Authors.Count} authors)" : $"INVALID: {audit.Findings[0].Code}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"node-{i,-2} {acc * scale,8:0.00}{unit} {aloneAcc * scale,7:0.00}{unit} {gain * scale,+6:+0.00;-0.00} {t.BytesSent / 1e6,8:0.00} {dense / t.BytesSent,8:0} {t.Throughput,9:0.0} {aloneRate,8:0.0} {t.Throughput / aloneRate,6:0.00} {verdict}{AttackerMark(i)}"));
            nodes.Add(new JsonObject
            {
                ["node"] = i, ["byzantine"] = o.Byzantine.TryGetValue(i, out var mode) ? mode.Name() : null, [lm ? "bits_per_byte" : "accuracy"] = acc, [lm ? "alone_bits_per_byte" : "alone_accuracy"] = alone is null ? null : aloneAcc,
                ["corpus"] = lm ? o.CorpusOf(i) : null, ["bytes_sent"] = t.BytesSent,
                ["contribution_bytes"] = t.PublishedBytes, ["reduction_vs_dense_allreduce"] = dense / t.BytesSent,
                ["samples_per_s"] = t.Throughput, ["alone_samples_per_s"] = alone is null ? null : aloneRate, ["wait_s"] = t.WaitSeconds,
                ["starts"] = t.Starts, ["failures"] = new JsonArray([.. t.Failures.Select(f => (JsonNode)f.DeepClone())]), ["late_contributions_used"] = t.LateUsed, ["rejected"] = t.Rejected,
                ["audit_valid"] = audit.Valid, ["audit_entries"] = audit.Entries, ["audit_authors"] = audit.Authors.Count,
                ["audit_findings"] = new JsonArray([.. audit.Findings.Select(f => (JsonNode)f.ToString())]),
                ["peak_rss_bytes"] = t.PeakRssBytes,
                ["accuracy_by_round"] = new JsonObject(t.Accuracy.OrderBy(kv => kv.Key).Select(kv => KeyValuePair.Create(kv.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
            });
        }
        var present = o.PresentNodes.Select(i => _tally[i]).ToList();
        var finals = present.Select(t => lm ? t.FinalBitsPerByte : t.FinalAccuracy).ToList();
        var agree = present.Select(t => t.Model).Distinct().Count() == 1;
        var allValid = audits.All(a => a.Report.Valid);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\nswarm mean {metric} {finals.Average() * scale:0.00}{unit} (each node's full held-out set); final models identical on all nodes: {agree}"));
        var honest = HonestSummary(lm);
        if (o.Byzantine.Count > 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"honest nodes ({(int)honest["honest_nodes"]!}) mean {metric} {(double)honest[lm ? "honest_mean_bits_per_byte" : "honest_mean_accuracy"]! * scale:0.00}{unit}; honest models identical: {(bool)honest["honest_models_identical"]!}; attackers: {string.Join(", ", o.Byzantine.OrderBy(a => a.Key).Select(a => $"node-{a.Key} {a.Value.Name()}"))}"));
        if (b?.Centralized is not null)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"centralized baseline {b.Centralized * 100:0.00}% (full test set) after {b.CentralizedSamples:N0} samples = the swarm's total; gap {(b.Centralized - finals.Average()) * 100:0.00} points"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dense fp32 ring all-reduce every step would send {dense / 1e6:0.0} MB per node; audit: {(allValid ? "every ledger valid" : "FINDINGS")}; logs and ledgers in {o.WorkDir}"));
        var report = new JsonObject
        {
            ["nodes"] = o.Nodes, ["split"] = o.Split.ToString(), ["spec"] = JsonNode.Parse(s.ToJson()), ["run"] = _runId, ["parameters"] = parameters,
            ["dense_allreduce_bytes_per_node"] = dense, [lm ? "mean_bits_per_byte" : "mean_accuracy"] = finals.Average(), ["models_identical"] = agree,
            ["centralized_accuracy"] = b?.Centralized, ["centralized_samples"] = b?.CentralizedSamples, ["audit_valid"] = allValid,
            ["seconds"] = _clock.Elapsed.TotalSeconds, ["per_node"] = nodes, ["kills"] = o.Kills.Count, ["failures_restarted"] = _tally.Sum(t => t.Failures.Count), ["late_join_round"] = o.LateJoinRound,
        };
        foreach (var (key, value) in honest) report[key] = value?.DeepClone();
        if (o.Without.Count > 0) report["without"] = new JsonArray([.. o.Without.Order().Select(i => (JsonNode)i)]);
        if (lm) report["language_model"] = LanguageTable(b);
        if (RestartReport() is { } restarts) report["restarts"] = restarts;
        if (_tally.Any(t => t.Failures.Count > 0))
            Console.WriteLine("failures (restarted): " + string.Join("; ", _tally.Where(t => t.Failures.Count > 0).Select(t =>
                $"node-{t.Index} " + string.Join(", ", t.Failures.Select(f => $"round {f["round"]}: {f["reason"]}")))));
        if (o.Json is not null) File.WriteAllText(o.Json, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return allValid ? 0 : 1;
    }

    private string AttackerMark(int node) => o.Byzantine.TryGetValue(node, out var mode) ? $"  BYZANTINE {mode.Name()}" : "";

    /// <summary>The honest nodes' figures (the nodes started without --byzantine): how much the attackers hurt them,
    /// and whether they still agree on one model.</summary>
    private JsonObject HonestSummary(bool lm)
    {
        var honest = o.PresentNodes.Where(i => !o.Byzantine.ContainsKey(i)).Select(i => _tally[i]).ToList();
        return new JsonObject
        {
            ["honest_nodes"] = honest.Count,
            [lm ? "honest_mean_bits_per_byte" : "honest_mean_accuracy"] = honest.Count == 0 ? null : honest.Average(t => lm ? t.FinalBitsPerByte : t.FinalAccuracy),
            ["honest_models_identical"] = honest.Select(t => t.Model).Distinct().Count() <= 1,
        };
    }
}
