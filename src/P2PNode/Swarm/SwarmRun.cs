using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using P2PNode.Cli.Commands;
using P2PNode.Ledger.Audit;
using P2PNode.Training.Byzantine;

namespace P2PNode.Cli.Swarm;

/// <summary>One swarm: set-up, the nodes' run with live progress and churn, shutdown, audit, baselines, summary.</summary>
internal sealed partial class SwarmRun(SwarmOptions o)
{
    private readonly NodeProcess?[] _procs = new NodeProcess?[o.Nodes];
    private readonly NodeTally[] _tally = Enumerable.Range(0, o.Nodes).Select(i => new NodeTally(i, o.Nodes - o.Without.Count)).ToArray();
    private readonly HashSet<(int, int)> _killsDone = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string _runId = "";
    private string _bootstrap = "";
    private int _printedRound = -1;

    private string Dir(int i) => Path.Combine(o.WorkDir, $"node-{i}");

    public async Task<int> RunAsync()
    {
        var s = o.Spec;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"swarm: {o.Nodes} nodes, {s.Model}, split {o.Split}, {s.Rounds} rounds of H={s.InnerSteps}, codec {s.Codec}, outer lr {s.OuterLearningRate} momentum {s.OuterMomentum}; work dir {o.WorkDir}"));
        if (o.Byzantine.Count > 0 || o.Without.Count > 0)
            Console.WriteLine($"measurement: attackers [{string.Join(", ", o.Byzantine.OrderBy(b => b.Key).Select(b => $"node-{b.Key} {b.Value.Name()}"))}], not started [{string.Join(", ", o.Without.Order().Select(i => $"node-{i}"))}]");
        try
        {
            await SetUpAsync();
            await TrainAsync();
            await StopAllAsync();
            var audits = Audit();
            var baselines = o.Baselines ? await BaselinesAsync() : null;
            return Summarize(audits, baselines);
        }
        finally
        {
            foreach (var p in _procs) p?.Dispose();
        }
    }

    private async Task SetUpAsync()
    {
        for (var i = 0; i < o.Nodes; i++)
        {
            var (code, stdout, stderr) = await RunToEndAsync(["init", "--dir", Dir(i)]);
            if (code != 0) throw new InvalidOperationException($"p2pnode init for node {i} failed: {stdout}{stderr}");
        }
        var s = o.Spec;
        var (newCode, newStdout, newStderr) = await RunToEndAsync([
            "run", "new", "--config", Path.Combine(Dir(0), "node.toml"), "--name", $"swarm-{o.Nodes}", "--model", s.Model,
            "--seed", Str(s.Seed), "--rounds", Str(s.Rounds), "--inner-steps", Str(s.InnerSteps), "--codec", s.Codec,
            "--outer-lr", Str(s.OuterLearningRate), "--outer-momentum", Str(s.OuterMomentum), "--inner-lr", Str(s.InnerLearningRate),
            "--batch", Str(s.BatchSize), "--quorum", Str(s.Quorum), "--min-nodes", Str(s.MinNodes), "--eval-samples", Str(s.EvalSamples),
            .. DefenceFlags.Of(s), .. (s.Overlap ? Array.Empty<string>() : ["--no-overlap"]),
            .. LmArgs()]);
        // "run <id>" is on stdout; logs and errors are on stderr.
        _runId = newStdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("run ", StringComparison.Ordinal))?[4..]
                 ?? throw new InvalidOperationException($"p2pnode run new failed ({newCode}): {newStdout}{newStderr}");
        Console.WriteLine($"run {_runId}");
        Start(0);
        _bootstrap = await _procs[0]!.Listening.WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var i in o.PresentNodes.Skip(1))
            if (o.LateJoinRound is null || i != o.Nodes - 1) Start(i);
    }

    private void Start(int i)
    {
        var args = new List<string>
        {
            "run", "--config", Path.Combine(Dir(i), "node.toml"), "--listen", "127.0.0.1:0", "--run", _runId,
            "--shard", $"{i}/{o.Nodes}", "--split", o.Split.ToString(), "--name", $"node-{i}",
        };
        if (i > 0) args.AddRange(["--bootstrap", _bootstrap]);
        if (o.Data is not null) args.AddRange(["--data", o.Data]);
        if (o.Byzantine.TryGetValue(i, out var attack)) args.AddRange(["--byzantine", attack.Name()]);
        if (o.LanguageModel) args.AddRange(o.CorpusArgs(i));
        // Injected failures (--fail I@R) apply to a node's first start only: the restart must then get through.
        foreach (var (node, round) in o.Failures)
            if (node == i && _tally[i].Starts == 0) args.AddRange(["--fail-at-round", round.ToString(CultureInfo.InvariantCulture)]);
        _procs[i]?.Dispose();
        _procs[i] = new NodeProcess($"node-{i}", Path.Combine(o.WorkDir, $"node-{i}.log"), args);
        _tally[i].Starts++;
    }

    private async Task TrainAsync()
    {
        var deadline = _clock.Elapsed + o.Timeout;
        while (!o.PresentNodes.All(i => _tally[i].Done))
        {
            if (_clock.Elapsed > deadline) throw new TimeoutException($"the swarm did not finish within {o.Timeout.TotalMinutes:0} minutes (logs in {o.WorkDir})");
            await Task.Delay(200);
            for (var i = 0; i < o.Nodes; i++)
            {
                var p = _procs[i];
                if (p is null) continue;
                while (p.Events.TryDequeue(out var e))
                {
                    var before = _tally[i].LastContributed;
                    NoteRejoin(i);
                    _tally[i].Take(e);
                    if (_tally[i].LastContributed != before) _tally[i].LastContributedAt = _clock.Elapsed.TotalSeconds;
                }
                if (p.Exited && !_tally[i].Done && !_tally[i].Killed) await RestartFailedAsync(i, p);
            }
            PrintProgress();
            await ChurnAsync();
            await RestartChurnAsync();
        }
    }

    /// <summary>At most this many restarts of one node after failures; past it the swarm gives up (a failure that
    /// comes back every time is a bug to fix, not churn).</summary>
    private const int MaxFailureRestarts = 3;

    /// <summary>
    /// A node that stopped before the end (a failed training thread exits with status 1, a native crash kills the
    /// process) is treated like a killed one: restarted from its own state and ledger, and noted in the report.
    /// </summary>
    private async Task RestartFailedAsync(int i, NodeProcess p)
    {
        var t = _tally[i];
        var exit = await p.WaitAsync(TimeSpan.FromSeconds(30));
        var reason = t.Failed ?? $"exited with status {exit} without a 'failed' event (crash?)";
        t.Failures.Add(new JsonObject { ["round"] = t.LastRound + 1, ["exit_code"] = exit, ["reason"] = reason });
        if (t.Failures.Count > MaxFailureRestarts)
            throw new InvalidOperationException($"node {i} failed {t.Failures.Count} times, last: {reason} (log {o.WorkDir}/node-{i}.log)");
        Console.WriteLine($"failure: node-{i} stopped at round {t.LastRound + 1} ({reason}); restarting it from its own state and ledger");
        t.Failed = null;
        await Task.Delay(2000);
        Start(i);
    }

    private async Task ChurnAsync()
    {
        var reached = _tally.Where((t, i) => _procs[i] is not null).Max(t => t.LastRound);
        foreach (var (node, round) in o.Kills)
        {
            if (_killsDone.Contains((node, round)) || reached < round) continue;
            _killsDone.Add((node, round));
            Console.WriteLine($"churn: SIGKILL node-{node} at round {reached}; restarting it in 3 s from its own state and ledger");
            _tally[node].Killed = true;
            _procs[node]!.Kill();
            await Task.Delay(3000);
            Start(node);
            _tally[node].Killed = false;
        }
        if (o.LateJoinRound is { } late && _procs[o.Nodes - 1] is null && reached >= late)
        {
            Console.WriteLine($"churn: newcomer node-{o.Nodes - 1} joins at round {reached}");
            Start(o.Nodes - 1);
        }
    }

    private void PrintProgress()
    {
        var live = _tally.Where((t, i) => _procs[i] is not null).ToList();
        var round = live.Min(t => t.LastRound);
        if (round <= _printedRound) return;
        _printedRound = round;
        var accs = live.Select(t => t.Accuracy.GetValueOrDefault(round)).Where(a => a > 0).ToList();
        var bytes = live.Sum(t => t.BytesSent);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round,3}  accuracy {(accs.Count > 0 ? $"{accs.Min() * 100:0.0}..{accs.Max() * 100:0.0}%" : "-"),-14} models agree: {live.Select(t => t.Model).Distinct().Count() == 1,-5} consensus distance {live.Max(t => t.ConsensusDistance):0.######}  sent {bytes / 1e6:0.0} MB  {_clock.Elapsed.TotalSeconds:0}s"));
    }

    private async Task StopAllAsync()
    {
        // Replication runs in the background (heads every second): wait until every node's ledger holds the same
        // logs, up to a minute, so each ledger can be audited on its own; then stop every node gracefully.
        for (var waited = 0; waited < 60 && !LedgersConverged(); waited++) await Task.Delay(1000);
        foreach (var p in _procs) p?.Terminate();
        foreach (var p in _procs) if (p is not null) await p.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private bool LedgersConverged()
    {
        var views = new List<string>();
        foreach (var i in o.PresentNodes)
        {
            try
            {
                using var store = LedgerInput.OpenDatabase(Path.Combine(Dir(i), Hosting.NodeBuilder.LedgerFile));
                views.Add(string.Join(",", store.Authors().Select(a => $"{Convert.ToHexStringLower(a)}:{store.Size(a)}").Order(StringComparer.Ordinal)));
            }
            catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException or InvalidDataException) { return false; }
        }
        return views.Distinct().Count() == 1 && views[0].Split(',').Length == views.Count;
    }

    private List<(int Node, AuditReport Report)> Audit() =>
        o.PresentNodes.Select(i => (i, LedgerAuditor.Audit(LedgerInput.Load(Path.Combine(Dir(i), Hosting.NodeBuilder.LedgerFile))))).ToList();

    private static async Task<(int Code, string Stdout, string Stderr)> RunToEndAsync(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(SwarmRun).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["MKL_CBWR"] = "COMPATIBLE";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    private static string Str(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>`run new` flags that recreate the swarm's language-model spec (none for cnn, mlp and lm/v1).</summary>
    private string[] LmArgs()
    {
        if (o.Spec.Lm is not { } lm) return [];
        var tokenizer = lm.Tokenizer.StartsWith("file:", StringComparison.Ordinal)
            ? "file:" + (o.TokenizerFile ?? throw new InvalidOperationException($"tokenizer {lm.Tokenizer} needs --tokenizer-file"))
            : lm.Tokenizer;
        return ["--layers", Str(lm.Layers), "--width", Str(lm.Width), "--heads", Str(lm.Heads), "--context", Str(lm.Context), "--tokenizer", tokenizer,
            "--positions", Training.Models.ModelSpec.PositionName(lm.Positions), lm.TiedEmbeddings ? "--tied" : "--untied"];
    }
}
