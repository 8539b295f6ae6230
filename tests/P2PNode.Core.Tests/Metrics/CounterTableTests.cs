using System.Text.RegularExpressions;
using P2PNode.Core.Tests.Config;
using P2PNode.Transport;

namespace P2PNode.Core.Tests.Metrics;

/// <summary>
/// docs/metrics.md lists every counter the node can increment. This test reads that table and scans the source
/// (src/, the training runtime included) for every name passed to NodeMetrics.Increment, directly or through
/// the few helpers that pass a name on, and fails on any difference, so the table cannot drift from the code.
/// A name built at run time ("session_refused_" + reason) is a family: the table writes it with a placeholder.
/// </summary>
public sealed partial class CounterTableTests
{
    private static readonly string Src = Path.Combine(RepoRoot.Path, "src");

    /// <summary>Increment calls whose argument holds no name, and where the names they increment come from.
    /// A new such call fails the test until it is explained here (and its names are in the table).</summary>
    private static readonly Dictionary<string, Func<IEnumerable<string>>> Indirect = new(StringComparer.Ordinal)
    {
        ["OverlayNode.cs: name);"] = () => [],                // Count("..."): scanned as a helper below
        ["OverlayNode.cs: counter);"] = () => [],             // Offend(peer, offence, "...")
        ["LedgerSync.cs: counter);"] = () => [],              // Refuse(session, "...", reason)
        ["TcpTransport.cs: counter);"] = TransportErrorNames,  // TransportException.CounterName, or its two literals
        ["PeerSession.Loops.cs: e.CounterName);"] = TransportErrorNames,
        ["PeerSession.Loops.cs: ReceivedByFamily[Family((uint)message.Type)], frame.Length);"] = () => LiteralsOnLines("PeerSession.Loops.cs", "\"frame_bytes_received_"),
        ["PeerSession.Loops.cs: SentByFamily[Family(WireCodec.PeekType(frame))], frame.Length);"] = () => LiteralsOnLines("PeerSession.Loops.cs", "\"frame_bytes_sent_"),
        ["RelayService.cs: counter + Snake(status));"] = () => LiteralsOnLines("RelayService.cs", "var counter ="),
    };

    // Helpers that take a counter name as a literal: (folder under src, call pattern).
    private static readonly (string Folder, Regex Call)[] Helpers =
    [
        (Path.Combine("P2PNode.Core", "Overlay"), CountCall()),
        (Path.Combine("P2PNode.Core", "Overlay"), OffendCall()),
        (Path.Combine("P2PNode.Core", "Ledger", "Sync"), RefuseCall()),
    ];

    [Fact]
    public void TheTableInMetricsMdListsExactlyTheCountersTheCodeIncrements()
    {
        var (docNames, docFamilies) = Documented();
        var (codeNames, codeFamilies, unexplained) = FromCode();
        Assert.True(unexplained.Count == 0, "Increment calls with no literal name; explain them in CounterTableTests.Indirect:\n" + string.Join("\n", unexplained));
        Assert.True(codeNames.Count > 100, $"the scan found only {codeNames.Count} names: it is broken");

        var missing = codeNames.Where(n => !docNames.Contains(n) && !docFamilies.Any(f => n.StartsWith(f, StringComparison.Ordinal))).Order().ToList();
        Assert.True(missing.Count == 0, "counters the code increments that docs/metrics.md lacks: " + string.Join(", ", missing));
        var missingFamilies = codeFamilies.Except(docFamilies).Order().ToList();
        Assert.True(missingFamilies.Count == 0, "counter families (name + value at run time) docs/metrics.md lacks: " + string.Join(", ", missingFamilies.Select(f => f + "<...>")));
        var stale = docNames.Except(codeNames).Order().ToList();
        Assert.True(stale.Count == 0, "docs/metrics.md lists counters the code never increments: " + string.Join(", ", stale));
        var staleFamilies = docFamilies.Except(codeFamilies).Order().ToList();
        Assert.True(staleFamilies.Count == 0, "docs/metrics.md lists families the code never builds: " + string.Join(", ", staleFamilies));
    }

    [Fact]
    public void TheScanSeesANameThatIsNotInTheTable()
    {
        // The comparison above could pass vacuously if the scan missed calls: a known call must be found.
        var (names, families, _) = FromCode();
        Assert.Contains("gossip_stale", names);           // through Offend
        Assert.Contains("ledger_refused_gap", names);     // through Refuse
        Assert.Contains("decrypt_failed", names);         // TransportError
        Assert.Contains("frame_bytes_received_relay", names);
        Assert.Contains("frame_bytes_sent_ledger", names);
        Assert.Contains("training_contributions_received", names);
        Assert.Contains("session_refused_", families);
        Assert.Contains("relay_circuit_closed_", families);
        Assert.DoesNotContain("not_listed", names);       // a family's value (allowlist_refused_<kind>), not a name
    }

    private static (HashSet<string> Names, HashSet<string> Families) Documented()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "metrics.md"));
        var table = Regex.Match(doc, "<!-- counters:begin -->(.*)<!-- counters:end -->", RegexOptions.Singleline).Groups[1].Value;
        var rows = Regex.Matches(table, @"^\| `([a-z0-9_<>]+)` \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(rows.Count, rows.Distinct().Count());
        return (rows.Where(r => !r.Contains('<')).ToHashSet(StringComparer.Ordinal),
            rows.Where(r => r.Contains('<')).Select(r => r[..r.IndexOf('<')]).ToHashSet(StringComparer.Ordinal));
    }

    private static (HashSet<string> Names, HashSet<string> Families, List<string> Unexplained) FromCode()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var families = new HashSet<string>(StringComparer.Ordinal);
        var unexplained = new List<string>();
        void Add(string literal) => (literal.EndsWith('_') ? families : names).Add(literal);
        foreach (var file in SourceFiles())
        {
            var relative = Path.GetRelativePath(Src, file);
            foreach (var line in File.ReadLines(file))
            {
                if (line.TrimStart().StartsWith("//", StringComparison.Ordinal)) continue;
                foreach (Match call in IncrementCall().Matches(line))
                {
                    var argument = line[(call.Index + call.Length)..];
                    var literals = Literal().Matches(argument).Select(m => m.Groups[1].Value).ToList();
                    if (literals.Count > 0) { literals.ForEach(Add); continue; }
                    var key = $"{Path.GetFileName(file)}: {argument.Trim()}";
                    if (Indirect.TryGetValue(key, out var source)) { foreach (var n in source()) Add(n); }
                    else unexplained.Add($"{relative}: {line.Trim()}");
                }
                foreach (var (folder, pattern) in Helpers)
                    if (relative.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                        foreach (Match m in pattern.Matches(line)) Add(m.Groups[1].Value);
            }
        }
        return (names, families, unexplained);
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories).Where(f =>
            !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
            !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static IEnumerable<string> TransportErrorNames() =>
        Enum.GetValues<TransportError>().Select(e => new TransportException(e, "").CounterName);

    private static IEnumerable<string> LiteralsOnLines(string fileName, string marker) =>
        SourceFiles().Where(f => Path.GetFileName(f) == fileName).SelectMany(File.ReadLines)
            .Where(l => l.Contains(marker, StringComparison.Ordinal)).SelectMany(l => Literal().Matches(l).Select(m => m.Groups[1].Value));

    [GeneratedRegex(@"(?<!Interlocked)\.Increment\(")]
    private static partial Regex IncrementCall();

    [GeneratedRegex(@"""([a-z][a-z0-9]*(?:_[a-z0-9]+)*_?)""")]
    private static partial Regex Literal();

    [GeneratedRegex(@"\bCount\(""([a-z0-9_]+)""\)")]
    private static partial Regex CountCall();

    [GeneratedRegex(@"\bOffend\([^;]*?""([a-z0-9_]+)""\)")]
    private static partial Regex OffendCall();

    [GeneratedRegex(@"\bRefuse\([^,]+,\s*""([a-z0-9_]+)""")]
    private static partial Regex RefuseCall();
}
