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
    /// <summary>`--restarts I:N[:SEED]`: SIGKILL node I N times at random moments and restart it (null: none).</summary>
    public RestartPlan? Restarts { get; init; }
    /// <summary>Fault injection: (node index, round): that node's training thread fails at that round on its first
    /// start (`run --fail-at-round`); the swarm must restart it and carry on.</summary>
    public IReadOnlyList<(int Node, int Round)> Failures { get; init; } = [];
    /// <summary>Start node N−1 only when the others reach this round (a newcomer); null = all start together.</summary>
    public int? LateJoinRound { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>`--byzantine I:MODE,...`: node I runs as an attacker (`run --byzantine MODE`), for measuring defences.</summary>
    public IReadOnlyDictionary<int, Training.Byzantine.AttackMode> Byzantine { get; init; } = new Dictionary<int, Training.Byzantine.AttackMode>();
    /// <summary>`--without I,...`: the data is still split N ways, but these nodes are never started, so a run of the
    /// others holds exactly the shards they hold in the full run (e.g. the honest nodes alone, without the attackers).</summary>
    public IReadOnlySet<int> Without { get; init; } = new HashSet<int>();

    /// <summary>Whether node i is started at all (not left out by <see cref="Without"/>).</summary>
    public bool Present(int node) => !Without.Contains(node);

    /// <summary>The nodes that are started, in index order.</summary>
    public IEnumerable<int> PresentNodes => Enumerable.Range(0, Nodes).Where(Present);

    /// <summary>Language-model runs: node i trains on Corpora[i % count] (default: the Debian Reference in eight languages).</summary>
    public IReadOnlyList<string> Corpora { get; init; } = [.. DefaultLanguages.Select(DebianReference)];

    public static readonly string[] DefaultLanguages = ["en", "de", "fr", "es", "it", "pt", "id", "ja"];

    /// <summary>The Debian Reference's plain text in one language (Debian package debian-reference-LANG).</summary>
    public static string DebianReference(string language) => $"/usr/share/debian-reference/debian-reference.{language}.txt.gz";

    /// <summary>Each node reads at most this many bytes of its corpus (null: all), so an experiment fits the machine.</summary>
    public int? CorpusBytes { get; init; }
    /// <summary>(node, fraction): that node trains on only the first fraction of its training text (a low-resource
    /// language); its held-out text is unchanged.</summary>
    public (int Node, double Fraction)? LowResource { get; init; }
    /// <summary>Percent of each node's text held out for scoring (its tail).</summary>
    public int HeldOutPercent { get; init; } = 10;
    /// <summary>Rank file of a "file:" tokenizer, handed to every node.</summary>
    public string? TokenizerFile { get; init; }
    /// <summary>Baselines score their held-out text every this many rounds' worth of steps (learning curves).</summary>
    public int CurveEvery { get; init; } = 4;

    /// <summary>The corpus flags of node i's `run` (and of its baselines).</summary>
    public IEnumerable<string> CorpusArgs(int node)
    {
        yield return "--corpus";
        yield return CorpusOf(node);
        if (CorpusBytes is { } max) { yield return "--corpus-bytes"; yield return max.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        yield return "--held-out-percent";
        yield return HeldOutPercent.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (LowResource is { } low && low.Node == node) { yield return "--train-fraction"; yield return low.Fraction.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        if (TokenizerFile is not null) { yield return "--tokenizer-file"; yield return TokenizerFile; }
    }

    public bool LanguageModel => Spec.Model == "lm";

    public string CorpusOf(int node) => Corpora[node % Corpora.Count];

    /// <summary>What <see cref="CorpusArgs"/> gives node i, for the baselines computed in the swarm's own process.</summary>
    public Training.Trainer.CorpusSettings CorpusSettingsOf(int node) => new(CorpusOf(node), HeldOutPercent / 100.0, null,
        LowResource is { } low && low.Node == node ? low.Fraction : null, CorpusBytes, TokenizerFile);

    /// <summary>A short name for node i's text: the language of a Debian Reference file, else the file name.</summary>
    public string LanguageOf(int node)
    {
        var name = Path.GetFileName(CorpusOf(node));
        return name.StartsWith("debian-reference.", StringComparison.Ordinal) ? name.Split('.')[1] : name;
    }
}
