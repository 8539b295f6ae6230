using P2PNode.Training.Runtime;
using P2PNode.Training.Simulation;

namespace P2PNode.Cli.Swarm;

/// <summary>Settings of one `p2pnode swarm` run.</summary>
internal sealed record SwarmOptions
{
    public required int Nodes { get; init; }
    public required RunSpec Spec { get; init; }
    public required DataSplit Split { get; init; }
    public required string WorkDir { get; init; }
    public string? Json { get; init; }
    public string? Data { get; init; }
    public bool Baselines { get; init; } = true;
    /// <summary>Churn: (node index, round): SIGKILL that node when the swarm reaches that round, then restart it.</summary>
    public IReadOnlyList<(int Node, int Round)> Kills { get; init; } = [];
    /// <summary>Fault injection: (node index, round): that node's training thread fails at that round on its first
    /// start (`run --fail-at-round`); the swarm must restart it and carry on.</summary>
    public IReadOnlyList<(int Node, int Round)> Failures { get; init; } = [];
    /// <summary>Start node N−1 only when the others reach this round (a newcomer); null = all start together.</summary>
    public int? LateJoinRound { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Language-model runs: node i trains on Corpora[i % count] (default: the Debian Reference in four languages).</summary>
    public IReadOnlyList<string> Corpora { get; init; } = [.. new[] { "en", "de", "fr", "es" }.Select(l => $"/usr/share/debian-reference/debian-reference.{l}.txt.gz")];

    public bool LanguageModel => Spec.Model == "lm";

    public string CorpusOf(int node) => Corpora[node % Corpora.Count];
}
