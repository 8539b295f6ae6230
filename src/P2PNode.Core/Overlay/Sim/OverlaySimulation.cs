using System.Diagnostics;
using P2PNode.Identity;

namespace P2PNode.Overlay.Sim;

/// <summary>
/// Runs N <see cref="OverlayNode"/>s in one process on a discrete-event scheduler (virtual time): joins,
/// crash churn with fresh identities joining, broadcasts with real Ed25519 signing and verification at every
/// node, lossy links with latency. Deterministic from the seed.
/// </summary>
public static class OverlaySimulation
{
    public static SimRunResult Run(SimOptions options, BroadcastMode mode)
    {
        options.Validate();
        var o = options with { Overlay = options.Overlay with { Mode = mode } };
        var plan = SimPlan.Create(o);
        var wall = Stopwatch.StartNew();
        var clock = new SimScheduler();
        var traffic = new SimTraffic();
        var network = new SimNetwork(clock, o, new Random(o.Seed ^ 0x5eed), traffic);
        var nodes = new List<SimNode>();
        for (var i = 0; i < plan.Seeds.Count; i++)
        {
            var node = new SimNode(network, i, NodeIdentity.FromPrivateKey(plan.Seeds[i]), o.Overlay, unchecked(o.Seed * 7919 + i));
            node.Node.Subscribe(Topic);
            network.Register(node);
            nodes.Add(node);
        }
        var tickMs = (long)o.Overlay.TickInterval.TotalMilliseconds;
        foreach (var step in plan.Steps)
        {
            clock.At(step.Time, step switch
            {
                SimPlan.StartStep s => () =>
                {
                    var n = nodes[s.Node];
                    n.Alive = true;
                    n.JoinedAt = clock.Now;
                    n.Node.Start(s.Bootstrap.Select(b => new Wire.Gossip.PeerAddress(nodes[b].Id, nodes[b].Address)).ToList(), network.NowMs);
                    network.StartTicking(n, tickMs);
                },
                SimPlan.CrashStep c => () => network.Crash(nodes[c.Node]),
                SimPlan.PublishStep p => () =>
                {
                    var id = nodes[p.Node].Node.Publish(Topic, p.Payload, network.NowMs);
                    traffic.Messages[id] = new SimTraffic.Published(clock.Now, p.Node);
                },
                _ => throw new InvalidOperationException(),
            });
        }
        clock.RunUntil(plan.End);
        var result = Summarise(o, mode, plan, nodes, traffic, clock, wall.Elapsed);
        foreach (var n in nodes) n.Identity.Dispose();
        return result;
    }

    /// <summary>The one topic every simulated node subscribes to.</summary>
    public const string Topic = "sim/run-1";

    private static SimRunResult Summarise(SimOptions o, BroadcastMode mode, SimPlan plan, List<SimNode> nodes,
        SimTraffic t, SimScheduler clock, TimeSpan wall)
    {
        long expected = 0, delivered = 0;
        foreach (var m in t.Messages.Values)
        {
            foreach (var n in nodes)
            {
                if (n.Index == m.Origin || n.JoinedAt > m.Time - o.JoinGraceMs || n.LeftAt < m.Time + o.DeliveryWindowMs) continue;
                expected++;
                if (m.Receivers.Contains(n.Index)) delivered++;
            }
        }
        var live = nodes.Where(n => n.Alive).ToList();
        var degrees = new SortedDictionary<int, int>();
        foreach (var n in live) degrees[n.Node.ActiveView.Count] = degrees.GetValueOrDefault(n.Node.ActiveView.Count) + 1;
        var counters = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var n in nodes)
            foreach (var (k, v) in n.Metrics.Snapshot()) counters[k] = counters.GetValueOrDefault(k) + v;
        var hops = t.Hops.Order().ToList();
        var lat = t.Latencies.Order().ToList();
        var deliveries = Math.Max(1, (long)hops.Count);
        return new SimRunResult
        {
            Mode = mode.ToString().ToLowerInvariant(),
            Nodes = o.Nodes,
            ChurnEvents = plan.ChurnEvents,
            Messages = t.Messages.Count,
            ExpectedDeliveries = expected,
            DeliveredToExpected = delivered,
            DeliveryRatio = expected == 0 ? 1 : (double)delivered / expected,
            Deliveries = hops.Count,
            HopsP50 = Percentile(hops, 0.50),
            HopsP90 = Percentile(hops, 0.90),
            HopsP99 = Percentile(hops, 0.99),
            HopsMax = hops.Count == 0 ? 0 : hops[^1],
            LatencyP50Ms = Percentile(lat, 0.50),
            LatencyP90Ms = Percentile(lat, 0.90),
            LatencyP99Ms = Percentile(lat, 0.99),
            LatencyMaxMs = lat.Count == 0 ? 0 : lat[^1],
            PayloadCopies = t.PayloadCopies,
            CopiesPerDelivery = (double)t.PayloadCopies / deliveries,
            PayloadBytes = t.PayloadBytes,
            BroadcastControlBytes = t.BroadcastControlBytes,
            MembershipBytes = t.MembershipBytes,
            ControlBytesPerDelivery = (double)t.BroadcastControlBytes / deliveries,
            DegreeHistogram = degrees,
            DegreeMean = live.Count == 0 ? 0 : live.Average(n => n.Node.ActiveView.Count),
            PassiveMean = live.Count == 0 ? 0 : live.Average(n => n.Node.PassiveView.Count),
            LostTransmissions = t.Lost,
            SignaturesVerified = counters.GetValueOrDefault("gossip_verified"),
            VirtualSeconds = plan.End / 1000.0,
            WallSeconds = wall.TotalSeconds,
            EventsProcessed = clock.Processed,
            Counters = counters,
            FramesByType = new SortedDictionary<string, long>(t.MessagesByType.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value), StringComparer.Ordinal),
        };
    }

    private static T Percentile<T>(List<T> sorted, double p) where T : struct =>
        sorted.Count == 0 ? default : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
