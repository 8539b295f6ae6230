using System.Globalization;
using System.Text.Json.Nodes;

namespace P2PNode.Cli.Swarm;

internal sealed partial class SwarmRun
{
    /// <summary>
    /// The language-model table: per node (language), bits per byte on its own held-out text for the shared model,
    /// the node alone (at the end of the same budget, and the best point of its curve) and the centralized model; the
    /// gain of joining (alone best − shared); learning curves and where each round's time went go in the JSON report.
    /// </summary>
    private JsonObject LanguageTable(Baselines? b)
    {
        var central = b?.CentralizedCurve is { Count: > 0 } c ? c[^1].BitsPerByte : null;
        Console.WriteLine();
        Console.WriteLine($"{"node",-7} {"text",-6} {"shared",7} {"alone",7} {"best",7} {"central",8} {"gain",7}  (bits per byte on the node's own held-out text; lower is better; gain = alone best − shared)");
        var rows = new JsonArray();
        foreach (var i in o.PresentNodes)
        {
            var t = _tally[i];
            var alone = b?.Alone[i];
            var aloneFinal = alone?["bits_per_byte"] is { } af ? (double)af : double.NaN;
            var curve = alone?["curve"] as JsonArray;
            var aloneBest = curve is { Count: > 0 } ? curve.Min(p => (double)p!["bits_per_byte"]!) : aloneFinal;
            var centralized = central is null ? double.NaN : central[i];
            var low = o.LowResource is { } lr && lr.Node == i;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"node-{i,-2} {o.LanguageOf(i) + (low ? "*" : ""),-6} {t.FinalBitsPerByte,7:0.000} {aloneFinal,7:0.000} {aloneBest,7:0.000} {centralized,8:0.000} {aloneBest - t.FinalBitsPerByte,+7:+0.000;-0.000}"));
            rows.Add(new JsonObject
            {
                ["node"] = i, ["language"] = o.LanguageOf(i), ["low_resource"] = low, ["shared_bits_per_byte"] = t.FinalBitsPerByte,
                ["alone_bits_per_byte"] = alone is null ? null : aloneFinal, ["alone_best_bits_per_byte"] = alone is null ? null : aloneBest,
                ["centralized_bits_per_byte"] = central is null ? null : centralized, ["gain_vs_alone_best"] = alone is null ? null : aloneBest - t.FinalBitsPerByte,
                ["shared_curve"] = new JsonObject(t.BitsPerByte.OrderBy(kv => kv.Key).Select(kv => KeyValuePair.Create(kv.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
                ["alone_curve"] = curve?.DeepClone(),
                ["centralized_curve"] = b?.CentralizedCurve is { } cc ? new JsonArray([.. cc.Select(p => (JsonNode)new JsonObject { ["steps"] = p.Steps, ["bits_per_byte"] = p.BitsPerByte[i] })]) : null,
                ["round_timings"] = new JsonArray([.. t.Timings.OrderBy(kv => kv.Key).Select(kv => (JsonNode)kv.Value.DeepClone())]),
                ["peak_rss_bytes"] = t.PeakRssBytes,
            });
        }
        var shared = o.PresentNodes.Select(i => _tally[i].FinalBitsPerByte).Average();
        if (central is not null)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mean over languages: shared {shared:0.000}, centralized {central.Average():0.000} (shared is {(shared / central.Average() - 1) * 100:+0.0;-0.0}% from centralized){(o.LowResource is { } l ? $"; * = low-resource node ({l.Fraction:0.##} of its text)" : "")}"));
        PrintTimings();
        return new JsonObject { ["languages"] = rows, ["mean_shared_bits_per_byte"] = shared, ["mean_centralized_bits_per_byte"] = central?.Average() };
    }

    /// <summary>Mean seconds per round on each node: compute, encode, contribute, aggregate, ledger, transfer; and peak memory.</summary>
    private void PrintTimings()
    {
        string[] keys = ["compute_s", "encode_s", "contribute_s", "aggregate_s", "ledger_s", "transfer_s"];
        Console.WriteLine($"\n{"node",-7} {string.Join(" ", keys.Select(k => $"{k[..^2],10}"))} {"peak RSS",9}  (mean seconds per round)");
        foreach (var i in o.PresentNodes)
        {
            var t = _tally[i];
            var means = keys.Select(k => t.Timings.Values.Select(v => v[k] is { } x ? (double)x : double.NaN).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"node-{i,-2} {string.Join(" ", means.Select(m => $"{m,10:0.000}"))} {(t.PeakRssBytes is { } rss ? $"{rss / 1e6,6:0} MB" : "-"),9}"));
        }
    }
}
