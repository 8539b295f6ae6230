using System.Text.RegularExpressions;
using P2PNode.Aggregation;
using P2PNode.Training.Runtime;
using P2PNode.Training.Tests.TorchSafety;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>
/// Issue 11: refusals an honest node causes (wrong base after a restart or repair) were scored as offences, and
/// honest nodes banned each other. Every refusal reason the runtime can give must be in <see cref="Refusals"/>
/// (which says whether it is an offence), and the tables in docs/runtime.md and docs/overlay.md must say the same.
/// </summary>
public sealed partial class RefusalsTests
{
    private static readonly string Root = SourceCompilation.RepositoryRoot;

    /// <summary>Reason codes the runtime source passes to Reject as literals (validation), and every aggregation
    /// reason (a <see cref="RejectionReason"/>: the closed set Refuse takes).</summary>
    private static HashSet<string> CodesInSource()
    {
        var codes = AggregationCodes().ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "src", "P2PNode.Training", "Runtime"), "*.cs"))
            foreach (Match m in RefusalCall().Matches(File.ReadAllText(file))) codes.Add(m.Groups[1].Value);
        return codes;
    }

    private static IEnumerable<string> AggregationCodes() => Enum.GetValues<RejectionReason>().Select(r => r.Code());

    private static Dictionary<string, bool> DocTable(string doc)
    {
        var rows = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (Match m in DocRow().Matches(File.ReadAllText(Path.Combine(Root, "docs", doc))))
            Assert.True(rows.TryAdd(m.Groups[1].Value, m.Groups[2].Value == "offence"), $"{doc} lists {m.Groups[1].Value} twice");
        return rows;
    }

    [Fact]
    public void EveryReasonInTheCodeIsInTheTable()
    {
        var codes = CodesInSource();
        Assert.True(codes.Count >= 8, "the scan found only " + string.Join(", ", codes) + ": it is broken");
        Assert.Contains("wrong_base", codes);
        var table = Refusals.All.Select(r => r.Code).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(codes.Except(table));
        Assert.Empty(table.Except(codes)); // no stale rows either
    }

    [Theory]
    [InlineData("runtime.md")]
    [InlineData("overlay.md")]
    public void TheDocsTableSaysWhatTheCodeDoes(string doc)
    {
        var rows = DocTable(doc);
        Assert.Equal(Refusals.All.Select(r => r.Code).Order(), rows.Keys.Order());
        foreach (var r in Refusals.All) Assert.True(rows[r.Code] == r.Offence, $"{doc}: {r.Code} is {(r.Offence ? "an offence" : "a round rule")} in Refusals.cs");
    }

    [Fact]
    public void WhatOnlyALiarSendsIsAnOffenceAndWhatAnHonestRestartSendsIsNot()
    {
        foreach (var code in new[] { "malformed", "not_author", "wrong_run", "equivocation", "malformed_delta" })
            Assert.True(Refusals.Of(code).Offence, code);
        foreach (var code in new[] { "wrong_base", "norm_outlier" })
            Assert.False(Refusals.Of(code).Offence, code);
        // The overlay scores validation refusals; the runtime reports only aggregation offences, so none twice.
        Assert.False(Refusals.ScoredByRuntime("equivocation"));
        Assert.True(Refusals.ScoredByRuntime("malformed_delta"));
        Assert.False(Refusals.ScoredByRuntime("wrong_base"));
        Assert.Throws<ArgumentException>(() => Refusals.Of("stale"));
    }

    [Fact]
    public void TheAggregationRowsAreTheRejectionReasons()
    {
        // A refusal found after validation is one the Aggregation entry records: its code is a RejectionReason's.
        Assert.Equal(AggregationCodes().Order(), Refusals.All.Where(r => !r.AtValidation).Select(r => r.Code).Order());
        Assert.Equal(AggregationCodes().Count(), AggregationCodes().Distinct().Count());
    }

    [GeneratedRegex(@"\bReject\([^,()]+(?:\([^()]*\))?[^,()]*, ""([a-z_]+)""")]
    private static partial Regex RefusalCall();

    [GeneratedRegex(@"^\| `([a-z_]+)` \| (offence|round rule) \|", RegexOptions.Multiline)]
    private static partial Regex DocRow();
}
