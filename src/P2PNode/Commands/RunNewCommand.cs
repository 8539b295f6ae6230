using System.Text.Json.Nodes;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Training.Runtime;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode run new [--config F] [--name N] [run settings]`: creates a training run in this node's ledger (a
/// RunGenesis entry holding the model, hyperparameters and initial model hash, then this node's Join) and prints
/// "run &lt;run id&gt;". Nodes join it with `p2pnode run --run &lt;run id&gt;`; they fetch the genesis from peers.
/// </summary>
internal static class RunNewCommand
{
    public const string Settings =
        "[--name N] [--model cnn|mlp|lm] [--seed S] [--rounds R] [--inner-steps H] [--codec SPEC] [--outer-lr X]\n" +
        "  [--outer-momentum M] [--inner-lr X] [--batch B] [--quorum Q] [--min-nodes K] [--deadline-factor F]\n" +
        "  [--min-deadline-ms MS] [--eval-samples N] [--no-overlap] [--data-policy TEXT]\n" +
        "  " + DefenceFlags.Usage + "\n" +
        "  language model (--model lm): " + LmFlags.Usage;

    public static Task<int> RunAsync(Args a) => NodeSetup.Guard("run new", () =>
    {
        var spec = ReadSpec(a);
        var name = a.Get("name") ?? "p2pnode-run";
        var policy = a.Get("data-policy") ?? "each node trains on its own data; only compressed, signed deltas leave it";
        var flags = NodeSetup.ReadFlags(a);
        a.EnsureAllUsed(maxPositional: 1);
        using var loaded = NodeSetup.Load(flags);
        Directory.CreateDirectory(loaded.Config.Node.DataDir);
        using var ledger = LedgerStore.Open(Path.Combine(loaded.Config.Node.DataDir, Hosting.NodeBuilder.LedgerFile));
        var (initial, _, parameters) = GenesisModel.Describe(spec.ModelSpec(), spec.Seed);
        var genesis = ledger.AppendOwn(loaded.Identity.SigningKey, new RunGenesisBody
        {
            Name = name, Model = spec.ModelSpec().Canonical, Hyperparameters = spec.ToJson(), DataPolicy = policy, InitialModel = initial,
        }, new byte[32]);
        Training.Participation.TrainingRun.EnsureJoined(ledger, loaded.Identity, genesis.Hash, name, AgentInfo.Agent);
        ledger.PublishTreeHead(loaded.Identity.SigningKey);
        Console.Error.WriteLine($"created run '{name}': {spec} ({parameters:N0} parameters), initial model {Convert.ToHexStringLower(initial)[..16]}");
        Console.Error.WriteLine($"model {spec.ModelSpec().Canonical}");
        Console.WriteLine($"run {Convert.ToHexStringLower(genesis.Hash)}");
        return Task.FromResult(0);
    });

    private static RunSpec ReadSpec(Args a)
    {
        var d = new RunSpec();
        var model = a.Get("model") ?? d.Model;
        var lm = LmFlags.Read(a);
        if (lm is not null && model != "lm") throw new UsageException("the language-model flags (--preset, --layers, ...) need --model lm");
        var spec = new RunSpec
        {
            Model = model,
            Lm = lm,
            Seed = a.GetInt("seed", 0) ?? d.Seed,
            Rounds = a.GetInt("rounds", 1) ?? d.Rounds,
            InnerSteps = a.GetInt("inner-steps", 1) ?? d.InnerSteps,
            Codec = a.Get("codec") ?? d.Codec,
            OuterLearningRate = a.GetDouble("outer-lr") ?? d.OuterLearningRate,
            OuterMomentum = a.GetDouble("outer-momentum") ?? d.OuterMomentum,
            InnerLearningRate = a.GetDouble("inner-lr") ?? d.InnerLearningRate,
            BatchSize = a.GetInt("batch", 1, 1 << 16) ?? d.BatchSize,
            Quorum = a.GetDouble("quorum") ?? d.Quorum,
            MinNodes = a.GetInt("min-nodes", 1) ?? d.MinNodes,
            DeadlineFactor = a.GetDouble("deadline-factor") ?? d.DeadlineFactor,
            MinDeadlineMs = a.GetInt("min-deadline-ms", 0) ?? d.MinDeadlineMs,
            EvalSamples = a.GetInt("eval-samples", 0) ?? d.EvalSamples,
            Overlap = !a.Flag("no-overlap"),
        };
        spec = DefenceFlags.Apply(a, spec);
        try { spec.Validate(); }
        catch (Exception e) when (e is ArgumentException or FormatException) { throw new UsageException(e.Message); }
        return spec;
    }
}
