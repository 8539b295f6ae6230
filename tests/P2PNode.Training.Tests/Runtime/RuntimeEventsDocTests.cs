using System.Text.RegularExpressions;
using P2PNode.Training.Tests.TorchSafety;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>Issue 11: runtime.md's event list lacked `repaired` and `caught_up`. The events table of docs/runtime.md
/// §8 must list exactly the events the node prints: Report("...") in the runtime, "event" = "..." in Participation/TrainingRun.cs.</summary>
public sealed partial class RuntimeEventsDocTests
{
    private static readonly string Root = SourceCompilation.RepositoryRoot;

    [Fact]
    public void TheEventsTableListsEveryEventTheNodePrints()
    {
        var emitted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "src", "P2PNode.Training", "Runtime"), "*.cs"))
            foreach (Match m in ReportCall().Matches(File.ReadAllText(file))) emitted.Add(m.Groups[1].Value);
        foreach (Match m in EventField().Matches(File.ReadAllText(Path.Combine(Root, "src", "P2PNode.Training", "Participation", "TrainingRun.cs"))))
            emitted.Add(m.Groups[1].Value);
        Assert.True(emitted.Count >= 6 && emitted.Contains("repaired") && emitted.Contains("caught_up"), "the scan found " + string.Join(", ", emitted));

        var doc = File.ReadAllText(Path.Combine(Root, "docs", "runtime.md"));
        var section = doc[doc.IndexOf("## 8. Progress events", StringComparison.Ordinal)..doc.IndexOf("## 9.", StringComparison.Ordinal)];
        var documented = TableRow().Matches(section).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.True(!emitted.Except(documented).Any(), "events missing from runtime.md §8: " + string.Join(", ", emitted.Except(documented)));
        Assert.True(!documented.Except(emitted).Any(), "runtime.md §8 lists events nobody prints: " + string.Join(", ", documented.Except(emitted)));
    }

    [GeneratedRegex(@"\bReport\(""([a-z_]+)""")]
    private static partial Regex ReportCall();

    [GeneratedRegex(@"\[""event""\] = ""([a-z_]+)""")]
    private static partial Regex EventField();

    [GeneratedRegex(@"^\| `([a-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
