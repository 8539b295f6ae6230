namespace P2PNode.Overlay.Sim;

/// <summary>
/// Everything about a run that does not depend on the protocol, fixed up front from the seed: identities,
/// who starts when (and with which bootstrap contacts), who crashes when, who publishes what when. Plumtree and
/// the flooding baseline replay the same plan.
/// </summary>
internal sealed class SimPlan
{
    internal abstract record Step(long Time);
    internal sealed record StartStep(long Time, int Node, int[] Bootstrap) : Step(Time);
    internal sealed record CrashStep(long Time, int Node) : Step(Time);
    internal sealed record PublishStep(long Time, int Node, byte[] Payload) : Step(Time);

    public List<byte[]> Seeds { get; } = [];
    public List<Step> Steps { get; } = [];
    public long MeasureStart { get; private set; }
    public long MeasureEnd { get; private set; }
    public long End { get; private set; }
    public int ChurnEvents { get; private set; }

    public static SimPlan Create(SimOptions o)
    {
        var rng = new Random(o.Seed);
        var plan = new SimPlan();
        var churn = (int)Math.Round(o.Churn * o.Nodes);
        for (var i = 0; i < o.Nodes + churn; i++)
        {
            var seed = new byte[32];
            rng.NextBytes(seed);
            plan.Seeds.Add(seed);
        }
        var live = new List<int>();
        var joinedAt = new Dictionary<int, long>();
        for (var i = 0; i < o.Nodes; i++)
        {
            var t = (long)i * o.JoinSpacingMs;
            plan.Steps.Add(new StartStep(t, i, Pick(rng, live, o.BootstrapContacts, -1)));
            live.Add(i);
            joinedAt[i] = t;
        }
        plan.MeasureStart = (long)o.Nodes * o.JoinSpacingMs + o.WarmupMs;
        plan.MeasureEnd = plan.MeasureStart + o.DurationMs;
        plan.End = plan.MeasureEnd + o.DrainMs;
        plan.ChurnEvents = churn;

        var events = new List<(long Time, bool Churn)>();
        for (var k = 0; k < churn; k++) events.Add((plan.MeasureStart + rng.NextInt64(o.DurationMs), true));
        for (var k = 0; k < o.Messages; k++) events.Add((plan.MeasureStart + rng.NextInt64(o.DurationMs), false));
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Churn.CompareTo(b.Churn));
        var next = o.Nodes;
        foreach (var (time, isChurn) in events)
        {
            if (isChurn)
            {
                var victim = live[rng.Next(live.Count)];
                live.Remove(victim);
                plan.Steps.Add(new CrashStep(time, victim));
                plan.Steps.Add(new StartStep(time, next, Pick(rng, live, o.BootstrapContacts, -1)));
                live.Add(next);
                joinedAt[next++] = time;
            }
            else
            {
                var settled = live.Where(n => joinedAt[n] <= time - o.JoinGraceMs).ToList();
                var origin = settled.Count > 0 ? settled[rng.Next(settled.Count)] : live[rng.Next(live.Count)];
                var payload = new byte[o.PayloadBytes];
                rng.NextBytes(payload);
                plan.Steps.Add(new PublishStep(time, origin, payload));
            }
        }
        return plan;
    }

    private static int[] Pick(Random rng, List<int> from, int count, int except)
    {
        var pool = from.Where(x => x != except).ToList();
        var n = Math.Min(count, pool.Count);
        for (var i = 0; i < n; i++)
        {
            var j = rng.Next(i, pool.Count);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool.Take(n).ToArray();
    }
}
