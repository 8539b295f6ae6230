using System.Globalization;
using System.Text.Json;
using P2PNode.Overlay;
using System.Text;
using P2PNode.Overlay.Sim;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode sim overlay --nodes N --churn F [--messages M] [--seed S] [--json out.json] [--loss P]
/// [--loss-mode retransmit|drop] [--payload-bytes B] [--duration-s D]`: runs the gossip overlay on a simulated
/// network (virtual time), then the same plan with plain flooding as the baseline, and prints both side by side
/// with the targets. Exit code 1 when a Plumtree target is missed.
/// </summary>
internal static class SimCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Task<int> RunAsync(Args a)
    {
        if (a.Positional.Count != 1 || a.Positional[0] != "overlay")
            throw new UsageException("usage: p2pnode sim overlay --nodes N --churn F [--messages M] [--seed S] [--json out.json]");
        var defaults = new SimOptions();
        var lossMode = a.Get("loss-mode") ?? "retransmit";
        var options = defaults with
        {
            Nodes = a.GetInt("nodes", 2, 100_000) ?? defaults.Nodes,
            Churn = a.GetDouble("churn") ?? defaults.Churn,
            Messages = a.GetInt("messages", 1, 1_000_000) ?? defaults.Messages,
            Seed = a.GetInt("seed") ?? defaults.Seed,
            LossRate = a.GetDouble("loss") ?? defaults.LossRate,
            LossMode = lossMode switch
            {
                "retransmit" => LossMode.Retransmit,
                "drop" => LossMode.Drop,
                _ => throw new UsageException($"--loss-mode must be retransmit or drop, got '{lossMode}'"),
            },
            PayloadBytes = a.GetInt("payload-bytes", 0, 1024 * 1024) ?? defaults.PayloadBytes,
            DurationMs = (a.GetInt("duration-s", 1, 86_400) ?? defaults.DurationMs / 1000) * 1000,
        };
        // Overlay tunables worth exploring from the command line (defaults: OverlayOptions).
        var overlay = options.Overlay;
        options = options with
        {
            Overlay = overlay with
            {
                ActiveViewSize = a.GetInt("active-view", 1, 64) ?? overlay.ActiveViewSize,
                OptimizationThreshold = (uint)(a.GetInt("opt-threshold", 0, 64) ?? (int)overlay.OptimizationThreshold),
                OptimizationCooldown = TimeSpan.FromMilliseconds(a.GetInt("opt-cooldown-ms", 0, 600_000) ?? overlay.OptimizationCooldown.TotalMilliseconds),
                IHaveTimeout = TimeSpan.FromMilliseconds(a.GetInt("ihave-timeout-ms", 1, 60_000) ?? overlay.IHaveTimeout.TotalMilliseconds),
            },
        };
        var json = a.Get("json");
        a.EnsureAllUsed(maxPositional: 1);
        try { options.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }

        var command = "p2pnode sim overlay " + string.Join(' ', Environment.GetCommandLineArgs().Skip(3));
        Console.WriteLine($"simulating {options.Nodes} nodes, churn {options.Churn:0.###}, {options.Messages} messages, seed {options.Seed} ...");
        var plumtree = OverlaySimulation.Run(options, BroadcastMode.Plumtree);
        Console.WriteLine($"  plumtree done in {plumtree.WallSeconds:0.0} s");
        var flood = OverlaySimulation.Run(options, BroadcastMode.Flood);
        Console.WriteLine($"  flood done in {flood.WallSeconds:0.0} s\n");
        var maxHops = 2 * Math.Log2(options.Nodes);
        var pass = plumtree.DeliveryRatio >= 0.999 && plumtree.CopiesPerDelivery <= 1.5 && plumtree.HopsP99 <= maxHops;
        Console.Write(SimTable.Format(plumtree, flood, maxHops));
        Console.WriteLine($"\ntargets (plumtree): delivery >= 99.9%, copies/delivery <= 1.5, p99 hops <= {maxHops:0.0}: {(pass ? "met" : "MISSED")}");
        if (json is not null)
        {
            var doc = new { command, options, targets = new { delivery = 0.999, copiesPerDelivery = 1.5, p99Hops = maxHops, met = pass }, runs = new[] { plumtree, flood } };
            File.WriteAllText(json, JsonSerializer.Serialize(doc, Indented));
            Console.WriteLine($"wrote {json}");
        }
        return Task.FromResult(pass ? 0 : 1);
    }
}

/// <summary>The side-by-side table `p2pnode sim overlay` prints (the same layout as docs/overlay.md, "Measured").</summary>
internal static class SimTable
{
    public static string Format(SimRunResult p, SimRunResult f, double maxHops)
    {
        var rows = new List<(string, string, string)>
        {
            ("delivery to live nodes", Pct(p.DeliveryRatio), Pct(f.DeliveryRatio)),
            ("  delivered / expected", $"{p.DeliveredToExpected}/{p.ExpectedDeliveries}", $"{f.DeliveredToExpected}/{f.ExpectedDeliveries}"),
            ("payload copies / delivery", F(p.CopiesPerDelivery, "0.000"), F(f.CopiesPerDelivery, "0.000")),
            ("hops p50 / p90 / p99 / max", $"{p.HopsP50} / {p.HopsP90} / {p.HopsP99} / {p.HopsMax}", $"{f.HopsP50} / {f.HopsP90} / {f.HopsP99} / {f.HopsMax}"),
            ("latency ms p50 / p90 / p99", $"{p.LatencyP50Ms} / {p.LatencyP90Ms} / {p.LatencyP99Ms}", $"{f.LatencyP50Ms} / {f.LatencyP90Ms} / {f.LatencyP99Ms}"),
            ("payload bytes", Mb(p.PayloadBytes), Mb(f.PayloadBytes)),
            ("IHAVE/GRAFT/PRUNE bytes", Mb(p.BroadcastControlBytes), Mb(f.BroadcastControlBytes)),
            ("  per delivery", F(p.ControlBytesPerDelivery, "0.0"), F(f.ControlBytesPerDelivery, "0.0")),
            ("membership bytes", Mb(p.MembershipBytes), Mb(f.MembershipBytes)),
            ("active view size: count", Hist(p), Hist(f)),
            ("active / passive mean", $"{F(p.DegreeMean, "0.00")} / {F(p.PassiveMean, "0.0")}", $"{F(f.DegreeMean, "0.00")} / {F(f.PassiveMean, "0.0")}"),
            ("signatures verified", p.SignaturesVerified.ToString(CultureInfo.InvariantCulture), f.SignaturesVerified.ToString(CultureInfo.InvariantCulture)),
            ("grafts / prunes sent", $"{p.Counters.GetValueOrDefault("gossip_graft_sent")} / {p.Counters.GetValueOrDefault("gossip_prune_sent")}",
                $"{f.Counters.GetValueOrDefault("gossip_graft_sent")} / {f.Counters.GetValueOrDefault("gossip_prune_sent")}"),
            ("lost transmissions", p.LostTransmissions.ToString(CultureInfo.InvariantCulture), f.LostTransmissions.ToString(CultureInfo.InvariantCulture)),
            ("wall time s (virtual s)", $"{F(p.WallSeconds, "0.0")} ({F(p.VirtualSeconds, "0")})", $"{F(f.WallSeconds, "0.0")} ({F(f.VirtualSeconds, "0")})"),
        };
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"| {"metric",-28} | {"plumtree",-26} | {"flood (baseline)",-26} |\n");
        sb.Append($"|{new string('-', 30)}|{new string('-', 28)}|{new string('-', 28)}|\n");
        foreach (var (name, a, b) in rows) sb.Append(CultureInfo.InvariantCulture, $"| {name,-28} | {a,-26} | {b,-26} |\n");
        return sb.ToString();
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
    private static string Pct(double v) => (v * 100).ToString("0.000", CultureInfo.InvariantCulture) + "%";
    private static string Mb(long bytes) => (bytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " MB";
    private static string Hist(SimRunResult r) => string.Join(" ", r.DegreeHistogram.Select(kv => $"{kv.Key}:{kv.Value}"));
}
