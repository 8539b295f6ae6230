using System.Globalization;
using P2PNode.Cli.Swarm;
using P2PNode.Training.Runtime;
using P2PNode.Training.Simulation;
using P2PNode.Training.Trainer;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode diloco --model lm [lm flags] --languages en,de,... [--corpus-bytes N] [--low-resource I[:F]] --inner-steps H
/// --rounds R [--codec SPEC] [--outer-lr X] [--outer-momentum M] [--inner-lr X] [--batch B] [--seed S] [--eval-every K]
/// [--threads T]`: the language model's DiLoCo in one process (<see cref="LanguageModelSimulation"/>), one worker per
/// language, for comparing settings before a swarm. Prints the shared model's bits per byte per language.
/// </summary>
internal static class LanguageModelDiloco
{
    public static int Run(Args a)
    {
        var d = new RunSpec();
        var lm = LmFlags.Read(a);
        var languages = (a.Get("languages") ?? string.Join(",", SwarmOptions.DefaultLanguages)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        RunSpec spec;
        try
        {
            spec = new RunSpec
            {
                Model = "lm", Lm = lm, Seed = a.GetInt("seed", 0) ?? d.Seed,
                InnerSteps = a.GetInt("inner-steps", 1) ?? throw new UsageException("--inner-steps is required"),
                Rounds = a.GetInt("rounds", 1) ?? throw new UsageException("--rounds is required"),
                Codec = a.Get("codec") ?? d.Codec, OuterLearningRate = a.GetDouble("outer-lr") ?? d.OuterLearningRate,
                OuterMomentum = a.GetDouble("outer-momentum") ?? d.OuterMomentum, InnerLearningRate = a.GetDouble("inner-lr") ?? d.InnerLearningRate,
                BatchSize = a.GetInt("batch", 1, 1 << 16) ?? d.BatchSize, Overlap = false,
            };
            spec.Validate();
        }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        var options = new SwarmOptions
        {
            Nodes = languages.Length, Spec = spec, Split = DataSplit.Parse("iid"), WorkDir = Path.GetTempPath(),
            Corpora = [.. languages.Select(SwarmOptions.DebianReference)], CorpusBytes = a.GetInt("corpus-bytes", 1024),
            TokenizerFile = LmFlags.TokenizerFile(a), HeldOutPercent = a.GetInt("held-out-percent", 1, 50) ?? 10,
            LowResource = a.Get("low-resource") is { } low ? (int.Parse(low.Split(':')[0], CultureInfo.InvariantCulture), low.Contains(':') ? double.Parse(low.Split(':')[1], CultureInfo.InvariantCulture) : 0.1) : null,
        };
        var evalEvery = a.GetInt("eval-every", 1) ?? 5;
        TorchSharp.torch.set_num_threads(a.GetInt("threads", 1, 1024) ?? 1);
        a.EnsureAllUsed();
        Console.Error.WriteLine($"diloco lm: {spec.ModelSpec().Canonical}, {spec}, languages {string.Join(",", languages)}");
        var tasks = Enumerable.Range(0, languages.Length).Select(i => LanguageModelData.Load(spec.ModelSpec(), options.CorpusSettingsOf(i), spec.Seed * 1000 + i)).ToList();
        var points = LanguageModelSimulation.Run(spec, tasks, evalEvery, line => Console.Error.WriteLine("  " + line));
        var last = points[^1];
        for (var i = 0; i < languages.Length; i++) Console.WriteLine(FormattableString.Invariant($"{languages[i]} {last.BitsPerByte[i]:0.0000}"));
        Console.WriteLine(FormattableString.Invariant($"mean {last.BitsPerByte.Average():0.0000}"));
        return 0;
    }
}
