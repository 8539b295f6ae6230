using System.Globalization;
using System.Text.Json.Nodes;
using P2PNode.Cli.Commands;
using P2PNode.Training.Byzantine;
using P2PNode.Training.Runtime;
using P2PNode.Training.Simulation;

namespace P2PNode.Cli.Swarm;

/// <summary>
/// `p2pnode swarm --nodes N [--rounds R] [--split S] [--model cnn|mlp|lm] [...]`: the main job. Starts N real node
/// processes on loopback (own identity, shard, SQLite ledger and port each), shows progress per round, then
/// audits every node's ledger and compares with the baselines (docs/runtime.md §9, "The local swarm").
/// </summary>
internal static class SwarmCommand
{
    public const string Help = "run N real nodes training together on loopback, with baselines and an audit";

    internal const string Usage =
        "usage: p2pnode swarm --nodes N [--rounds R] [--split iid|dirichlet:A|classes:K] [--model cnn|mlp] [--inner-steps H]\n" +
        "                     [--codec SPEC] [--outer-lr X] [--outer-momentum M] [--inner-lr X] [--batch B] [--seed S]\n" +
        "                     [--quorum Q] [--eval-samples N] [--no-overlap] [--kill I@R[,I@R...]] [--restarts I:N[:SEED]] [--fail I@R[,...]]\n" +
        "                     [--late-join R] [--no-baselines]\n" +
        "                     measurement: [--byzantine I:MODE[,I:MODE...]] (node I lies, docs/robustness.md) " + DefenceFlags.Usage + " [--without I[,J...]] (shards split N ways, nodes I,J not started)\n" +
        "                     language model: --model lm [--languages en,de,...|--corpora P,P,...] [--corpus-bytes N] [--held-out-percent P]\n" +
        "                     [--low-resource I[:F]] [--curve-every K] [--tokenizer-file F] " + LmFlags.Usage + "\n" +
        "                     [--work DIR] [--data DIR] [--json out.json] [--timeout-minutes M]";

    public static async Task<int> RunAsync(Args a)
    {
        if (a.Positional is ["alone", ..]) return await Task.Factory.StartNew(() => AloneCommand.Run(a), TaskCreationOptions.LongRunning);
        var options = Parse(a);
        try
        {
            var result = await new SwarmRun(options).RunAsync();
            return result;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            Console.Error.WriteLine($"p2pnode swarm: {e.Message}");
            return 1;
        }
    }

    private static SwarmOptions Parse(Args a)
    {
        var nodes = a.GetInt("nodes", 1, 64) ?? throw new UsageException("--nodes is required\n" + Usage);
        var d = new RunSpec();
        RunSpec spec;
        DataSplit split;
        var model = a.Get("model") ?? d.Model;
        var lm = LmFlags.Read(a);
        if (lm is not null && model != "lm") throw new UsageException("the language-model flags (--preset, --layers, ...) need --model lm");
        try
        {
            spec = new RunSpec
            {
                Model = model,
                Lm = lm,
                Seed = a.GetInt("seed", 0) ?? d.Seed,
                Rounds = a.GetInt("rounds", 1) ?? 12,
                InnerSteps = a.GetInt("inner-steps", 1) ?? d.InnerSteps,
                Codec = a.Get("codec") ?? d.Codec,
                OuterLearningRate = a.GetDouble("outer-lr") ?? d.OuterLearningRate,
                OuterMomentum = a.GetDouble("outer-momentum") ?? d.OuterMomentum,
                InnerLearningRate = a.GetDouble("inner-lr") ?? d.InnerLearningRate,
                BatchSize = a.GetInt("batch", 1, 1 << 16) ?? d.BatchSize,
                Quorum = a.GetDouble("quorum") ?? d.Quorum,
                EvalSamples = a.GetInt("eval-samples", 0) ?? d.EvalSamples,
                Overlap = !a.Flag("no-overlap"),
                MinNodes = nodes,
            };
            spec = DefenceFlags.Apply(a, spec);
            spec.Validate();
            split = DataSplit.Parse(a.Get("split") ?? "dirichlet:0.5");
        }
        catch (Exception e) when (e is ArgumentException or FormatException) { throw new UsageException(e.Message); }
        var kills = NodeRounds(a, "kill", nodes, minRound: 1);
        var failures = NodeRounds(a, "fail", nodes, minRound: 0);
        var late = a.GetInt("late-join", 1, spec.Rounds - 1);
        var restarts = a.Get("restarts") is { } r ? RestartPlan.Parse(r, nodes) : null;
        var (byzantine, without) = Dishonesty(a, nodes);
        if (late is not null && without.Count > 0) throw new UsageException("--late-join and --without are alternatives");
        // Kills, failures and restarts act on a running node.
        var acted = kills.Concat(failures).Select(k => k.Item1).Append(restarts?.Node ?? -1);
        if (acted.FirstOrDefault(without.Contains, -1) is var absent and >= 0)
            throw new UsageException($"node {absent} is left out (--without) but given --kill, --fail or --restarts");
        spec = spec with { MinNodes = nodes - without.Count };
        restarts?.Schedule(spec.Rounds); // a usage error now if the kills do not fit in the run
        SwarmOptions options = new()
        {
            Nodes = nodes, Spec = late is null ? spec : spec with { MinNodes = nodes - 1 }, Split = split,
            WorkDir = a.Get("work") ?? Directory.CreateTempSubdirectory("p2pnode-swarm.").FullName,
            Json = a.Get("json"), Data = a.Get("data"), Baselines = !a.Flag("no-baselines"), Kills = kills, Failures = failures, LateJoinRound = late,
            Restarts = restarts, Byzantine = byzantine, Without = without,
        };
        if (a.Get("corpora") is { } corpora) options = options with { Corpora = corpora.Split(',', StringSplitOptions.RemoveEmptyEntries) };
        if (a.Get("languages") is { } languages)
        {
            if (a.Get("corpora") is not null) throw new UsageException("--languages and --corpora are alternatives");
            options = options with { Corpora = [.. languages.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(SwarmOptions.DebianReference)] };
        }
        options = options with
        {
            CorpusBytes = a.GetInt("corpus-bytes", 1024),
            HeldOutPercent = a.GetInt("held-out-percent", 1, 50) ?? 10,
            LowResource = LowResource(a.Get("low-resource"), nodes),
            TokenizerFile = LmFlags.TokenizerFile(a),
            CurveEvery = a.GetInt("curve-every", 1) ?? 4,
            Timeout = TimeSpan.FromMinutes(a.GetInt("timeout-minutes", 1, 7 * 24 * 60) ?? 30),
        };
        if (!options.LanguageModel && (options.CorpusBytes is not null || options.LowResource is not null || a.Get("languages") is not null))
            throw new UsageException("--languages, --corpus-bytes and --low-resource need --model lm");
        a.EnsureAllUsed();
        return options;
    }

    /// <summary>--byzantine I:MODE,... and --without I,...: node 0 must run (it creates the run and is everyone's
    /// bootstrap), and a node left out cannot also attack.</summary>
    internal static (IReadOnlyDictionary<int, AttackMode> Byzantine, IReadOnlySet<int> Without) Dishonesty(Args a, int nodes)
    {
        IReadOnlyDictionary<int, AttackMode> byzantine;
        try { byzantine = a.Get("byzantine") is { } b ? AttackModes.ParseList(b, nodes) : new Dictionary<int, AttackMode>(); }
        catch (ArgumentException e) { throw new UsageException("--byzantine: " + e.Message); }
        var without = new HashSet<int>();
        foreach (var item in (a.Get("without") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i < 1 || i >= nodes || !without.Add(i))
                throw new UsageException($"--without takes distinct node indices 1..{nodes - 1} (node 0 creates the run), got '{item}'");
            if (byzantine.ContainsKey(i)) throw new UsageException($"--without {i}: node {i} is also given --byzantine");
        }
        return (byzantine, without);
    }

    /// <summary>--low-resource I[:F]: node I trains on the first fraction F (default 0.1) of its training text.</summary>
    private static (int Node, double Fraction)? LowResource(string? text, int nodes)
    {
        if (text is null) return null;
        var parts = text.Split(':');
        var fraction = 0.1;
        if (!int.TryParse(parts[0], CultureInfo.InvariantCulture, out var node) || node < 0 || node >= nodes || parts.Length > 2
            || (parts.Length == 2 && (!double.TryParse(parts[1], CultureInfo.InvariantCulture, out fraction) || !(fraction > 0 && fraction < 1))))
            throw new UsageException($"--low-resource takes NODE[:FRACTION] with 0 <= NODE < {nodes} and 0 < FRACTION < 1, got '{text}'");
        return (node, fraction);
    }

    /// <summary>--kill / --fail: comma-separated NODE@ROUND items.</summary>
    private static List<(int, int)> NodeRounds(Args a, string flag, int nodes, int minRound) =>
        (a.Get(flag) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(k =>
        {
            var p = k.Split('@');
            if (p.Length != 2 || !int.TryParse(p[0], CultureInfo.InvariantCulture, out var n) || !int.TryParse(p[1], CultureInfo.InvariantCulture, out var r) || n < 0 || n >= nodes || r < minRound)
                throw new UsageException($"--{flag} takes NODE@ROUND items (0 <= NODE < {nodes}, ROUND >= {minRound}), got '{k}'");
            return (n, r);
        }).ToList();
}
