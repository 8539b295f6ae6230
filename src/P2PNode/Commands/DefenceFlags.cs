using System.Globalization;
using P2PNode.Training.Runtime;

namespace P2PNode.Cli.Commands;

/// <summary>
/// The run's defences as flags, shared by `run new` and `swarm` (which hands them back to `run new`): --clip-median
/// K|off, --no-sample-cap, --judge-samples N, --judge-step S, --min-cosine C, --max-pair-cosine C (docs/runtime.md §1,
/// docs/robustness.md). Values are checked by <see cref="RunSpec.Validate"/>.
/// </summary>
internal static class DefenceFlags
{
    public const string Usage = "[--clip-median K|off] [--no-sample-cap] [--judge-samples N] [--judge-step S] [--min-cosine C] [--max-pair-cosine C]";

    /// <summary><paramref name="spec"/> with the defences the flags give (the defaults of a new run for those not given).</summary>
    public static RunSpec Apply(Args a, RunSpec spec)
    {
        var d = new RunSpec();
        return spec with
        {
            ClipMedianMultiple = a.Get("clip-median") is { } clip ? (clip == "off" ? null : a.GetDouble("clip-median")) : d.ClipMedianMultiple,
            CapSamples = !a.Flag("no-sample-cap"),
            JudgeSamples = a.GetInt("judge-samples", 0, RunSpec.MaxJudgeSamples) ?? d.JudgeSamples,
            JudgeStep = a.GetDouble("judge-step") ?? d.JudgeStep,
            MinCosine = a.GetDouble("min-cosine"),
            MaxPairCosine = a.GetDouble("max-pair-cosine"),
        };
    }

    /// <summary>The flags that give <paramref name="s"/>'s defences, for a `run new` started by the swarm.</summary>
    public static IEnumerable<string> Of(RunSpec s)
    {
        static string Str(double v) => v.ToString(CultureInfo.InvariantCulture);
        yield return "--clip-median";
        yield return s.ClipMedianMultiple is { } clip ? Str(clip) : "off";
        if (!s.CapSamples) yield return "--no-sample-cap";
        foreach (var x in (string[])["--judge-samples", Str(s.JudgeSamples), "--judge-step", Str(s.JudgeStep)]) yield return x;
        if (s.MinCosine is { } cos) { yield return "--min-cosine"; yield return Str(cos); }
        if (s.MaxPairCosine is { } pair) { yield return "--max-pair-cosine"; yield return Str(pair); }
    }
}
