using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace P2PNode.Cli.Swarm;

internal sealed partial class SwarmRun
{
    private readonly List<RestartRecord> _restarts = [];
    private List<(int Round, int DelayMs)>? _restartSchedule;
    private double? _killDueAt;

    /// <summary>`--restarts`: kills the node at its next scheduled moment, once it contributed after the last restart.</summary>
    private async Task RestartChurnAsync()
    {
        if (o.Restarts is not { } plan) return;
        _restartSchedule ??= plan.Schedule(o.Spec.Rounds);
        var t = _tally[plan.Node];
        if (_restarts.Count > 0 && _restarts[^1].NextContribution is null)
        {
            var open = _restarts[^1];
            if (t.LastContributed <= open.ContributedBefore) return; // not back yet: no kill before it contributes again
            (open.NextContribution, open.ContributedAt) = (t.LastContributed, t.LastContributedAt);
        }
        if (_restarts.Count >= _restartSchedule.Count || t.Done || _procs[plan.Node] is null) return;
        var (round, delayMs) = _restartSchedule[_restarts.Count];
        var reached = _tally.Max(x => x.LastRound);
        if (reached < round) return;
        var now = _clock.Elapsed.TotalSeconds;
        _killDueAt ??= now + delayMs / 1000.0; // a random moment inside the round, not its start
        if (now < _killDueAt) return;
        _killDueAt = null;
        _restarts.Add(new RestartRecord(reached, now, t.LastContributed));
        Console.WriteLine($"restart {_restarts.Count}/{_restartSchedule.Count}: SIGKILL node-{plan.Node} at round {reached}; restarting it in 1 s");
        t.Killed = true;
        _procs[plan.Node]!.Kill();
        await Task.Delay(1000);
        Start(plan.Node);
        t.Killed = false;
    }

    /// <summary>Called for each event of node <paramref name="node"/>: the first one after a restart marks the round it rejoined at.</summary>
    private void NoteRejoin(int node)
    {
        if (o.Restarts is not { } plan || node != plan.Node || _restarts.Count == 0) return;
        var open = _restarts[^1];
        if (open.RejoinedAt is null && open.NextContribution is null) open.RejoinedAt = _tally.Max(x => x.LastRound);
    }

    /// <summary>The restarts' figures for the summary and the JSON report (null without --restarts).</summary>
    private JsonObject? RestartReport()
    {
        if (o.Restarts is not { } plan) return null;
        var done = _restarts.Where(r => r.NextContribution is not null).ToList();
        var missed = done.Select(r => (double)r.RoundsMissed!.Value).ToList();
        var afterRejoin = done.Select(r => (double)r.RoundsAfterRejoin!.Value).ToList();
        var seconds = done.Select(r => r.Seconds!.Value).ToList();
        // A node-round closed short while every node was up: outside each kill's window (its round to the node's next contribution).
        bool InWindow(int round) => _restarts.Any(r => round >= r.Round && round <= (r.NextContribution ?? int.MaxValue));
        var shortRounds = _tally.Sum(t => t.ShortRounds.Count);
        var shortLive = _tally.Sum(t => t.ShortRounds.Count(r => !InWindow(r)));
        var closed = _tally.Sum(t => t.LastRound + 1);
        var (graylisted, banned) = PunishmentsInLogs();
        var report = new JsonObject
        {
            ["node"] = plan.Node, ["planned"] = plan.Count, ["seed"] = plan.Seed, ["killed"] = _restarts.Count, ["contributed_again"] = done.Count,
            ["rounds_missed_median"] = Median(missed), ["rounds_missed_max"] = missed.DefaultIfEmpty(double.NaN).Max(),
            ["rounds_after_rejoin_median"] = Median(afterRejoin), ["rounds_after_rejoin_max"] = afterRejoin.DefaultIfEmpty(double.NaN).Max(),
            ["seconds_to_contribution_median"] = Median(seconds), ["seconds_to_contribution_max"] = seconds.DefaultIfEmpty(double.NaN).Max(),
            ["node_rounds_closed"] = closed, ["node_rounds_closed_short"] = shortRounds, ["node_rounds_closed_short_all_up"] = shortLive,
            ["rounds_adopted"] = _tally.Sum(t => t.Adopted), ["graylisted"] = graylisted, ["banned"] = banned,
            ["per_restart"] = new JsonArray([.. _restarts.Select(r => (JsonNode)new JsonObject
            {
                ["round"] = r.Round, ["rejoined_at"] = r.RejoinedAt, ["rounds_missed"] = r.RoundsMissed, ["rounds_after_rejoin"] = r.RoundsAfterRejoin, ["seconds"] = r.Seconds is { } s ? Math.Round(s, 2) : null,
            })]),
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"restarts of node-{plan.Node}: {_restarts.Count}/{plan.Count} killed, {done.Count} contributed again; rounds missed before the next contribution median {Median(missed):0.#} max {missed.DefaultIfEmpty(double.NaN).Max():0.#} " +
            $"(after it was back: median {Median(afterRejoin):0.#} max {afterRejoin.DefaultIfEmpty(double.NaN).Max():0.#}); " +
            $"seconds kill -> contribution median {Median(seconds):0.0} max {seconds.DefaultIfEmpty(double.NaN).Max():0.0}; node-rounds closed with fewer contributors than nodes {shortRounds}/{closed} " +
            $"({shortLive} of them while every node was up), {_tally.Sum(t => t.Adopted)} adopted from peers; graylisted {graylisted}, banned {banned}"));
        return report;
    }

    private static double Median(List<double> v)
    {
        if (v.Count == 0) return double.NaN;
        var s = v.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    /// <summary>Graylistings and bans any node logged ("graylisted &lt;peer&gt; after", "banned &lt;peer&gt; until").</summary>
    private (int Graylisted, int Banned) PunishmentsInLogs()
    {
        int g = 0, b = 0;
        for (var i = 0; i < o.Nodes; i++)
        {
            var path = Path.Combine(o.WorkDir, $"node-{i}.log");
            if (!File.Exists(path)) continue;
            foreach (var line in File.ReadLines(path))
            {
                if (Graylisted().IsMatch(line)) g++;
                if (Banned().IsMatch(line)) b++;
            }
        }
        return (g, b);
    }

    [GeneratedRegex(@"\bgraylisted \S+ after ")]
    private static partial Regex Graylisted();

    [GeneratedRegex(@"\bbanned \S+ until ")]
    private static partial Regex Banned();
}
