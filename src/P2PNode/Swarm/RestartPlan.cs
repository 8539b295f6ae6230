using System.Globalization;
using P2PNode.Cli.Commands;

namespace P2PNode.Cli.Swarm;

/// <summary>
/// `swarm --restarts I:N[:SEED]`: node I is killed with SIGKILL N times at random moments (seeded) and restarted
/// each time, the way an operator's supervisor would. The kill rounds are N distinct rounds drawn from the first
/// 90% of the run; each kill comes a random 0..1 s after the swarm reaches its round, and never before the node
/// contributed again after the previous restart (a restart is measured from kill to next contribution).
/// </summary>
internal sealed record RestartPlan(int Node, int Count, int Seed)
{
    public static RestartPlan Parse(string text, int nodes)
    {
        var p = text.Split(':');
        if (p.Length is < 2 or > 3 || !int.TryParse(p[0], CultureInfo.InvariantCulture, out var node) || node < 0 || node >= nodes
            || !int.TryParse(p[1], CultureInfo.InvariantCulture, out var count) || count < 1
            || (p.Length == 3 && !int.TryParse(p[2], CultureInfo.InvariantCulture, out _)))
            throw new UsageException($"--restarts takes NODE:COUNT[:SEED] with 0 <= NODE < {nodes} and COUNT >= 1, got '{text}'");
        return new RestartPlan(node, count, p.Length == 3 ? int.Parse(p[2], CultureInfo.InvariantCulture) : 1);
    }

    /// <summary>(round, delay after reaching it in ms) of each kill, in order.</summary>
    public List<(int Round, int DelayMs)> Schedule(int rounds)
    {
        var last = Math.Max(2, rounds * 9 / 10);
        if (Count > last - 1) throw new UsageException($"--restarts: {Count} kills do not fit in rounds 1..{last - 1} of {rounds}");
        var rng = new Random(Seed);
        var picked = new SortedSet<int>();
        while (picked.Count < Count) picked.Add(rng.Next(1, last));
        return picked.Select(r => (r, rng.Next(0, 1000))).ToList();
    }
}
