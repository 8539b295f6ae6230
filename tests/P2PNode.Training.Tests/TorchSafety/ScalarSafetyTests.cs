using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Xunit.Abstractions;

namespace P2PNode.Training.Tests.TorchSafety;

/// <summary>
/// TorchSharp 0.107 GC defect: a Scalar (or Tensor) that TorchSharp makes from a .NET value is referenced by nothing
/// once its native handle has been read, so the GC can free it while libtorch still reads it, and the process aborts
/// ("Expected false to be true ... Scalar.h"). These tests keep our TorchSharp code free of such temporaries; see
/// docs/training.md, "TorchSharp scalars".
/// </summary>
public sealed class ScalarSafetyTests(ITestOutputHelper output)
{

    /// <summary>
    /// TorchSharp methods the IL scan flags but that provably keep their Scalar alive until the native call returns
    /// (key: the method as <see cref="ScalarCreationScanner.Describe"/> prints it; value: the proof).
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> AllowList = new Dictionary<string, string>(StringComparer.Ordinal)
    {
    };

    [Fact]
    public void OurTorchSharpCodeHoldsEveryScalar()
    {
        var clock = Stopwatch.StartNew();
        var scanner = new ScalarCreationScanner();
        var root = SourceCompilation.RepositoryRoot;
        string Display(string path) => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

        var (training, trainingSources) = SourceCompilation.Project(Path.Combine(root, "src", "P2PNode.Training"), "P2PNode.Training", OutputKind.DynamicallyLinkedLibrary,
            "P2PNode.Training", "P2PNode.Training.Tests", "p2pnode");
        AssertCompiles(training);
        Assert.True(trainingSources.Count >= 30, $"only {trainingSources.Count} source files found under src/P2PNode.Training");
        var trainingReport = new ScalarSafetyChecker(training, scanner, AllowList).Check(trainingSources, Display);

        var (cli, cliSources) = SourceCompilation.Project(Path.Combine(root, "src", "P2PNode"), "p2pnode", OutputKind.ConsoleApplication,
            "p2pnode", "P2PNode.Training.Tests");
        AssertCompiles(cli);
        var cliTorchFiles = cliSources.Where(t => t.GetText().ToString().Contains("TorchSharp", StringComparison.Ordinal)).ToList();
        var cliReport = new ScalarSafetyChecker(cli, scanner, AllowList).Check(cliTorchFiles, Display);

        var all = trainingReport.Violations.Concat(cliReport.Violations).ToList();
        var failing = all;
        output.WriteLine($"checked {trainingSources.Count} training files and {cliTorchFiles.Count} CLI files that use TorchSharp: " +
                         $"{trainingReport.TorchSharpInvocations + cliReport.TorchSharpInvocations} TorchSharp invocations, " +
                         $"{trainingReport.TorchSharpCallSites + cliReport.TorchSharpCallSites} TorchSharp call sites, {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine($"{failing.Count} violation(s):");
        foreach (var v in failing) output.WriteLine(v.ToString());

        Assert.True(trainingReport.TorchSharpInvocations >= 50,
            $"the check saw only {trainingReport.TorchSharpInvocations} TorchSharp invocations in src/P2PNode.Training; it is not looking at our code");
        Assert.True(cliTorchFiles.Count > 0 && cliReport.TorchSharpInvocations > 0, "the CLI's TorchSharp calls were not seen");
        Assert.True(failing.Count == 0,
            $"{failing.Count} place(s) let TorchSharp make a Scalar or Tensor that nothing keeps alive (docs/training.md, \"TorchSharp scalars\"):\n"
            + string.Join("\n", failing));
    }

    /// <summary>
    /// The checker itself: a snippet with one instance of each rule, each marked "// expect: RULE", and a safe
    /// method that must pass. The reported (line, rule) pairs must be exactly the marked ones.
    /// </summary>
    [Fact]
    public void CheckerFlagsEachKindOfUnheldScalar()
    {
        const string snippet = """
            using TorchSharp;
            using static TorchSharp.torch;

            static class Snippet
            {
                static Tensor ImplicitScalar(Tensor t) => t.mul(0.5);                                   // expect: a
                static Tensor ImplicitFloatScalar(Tensor t, Tensor m) => t.masked_fill(m, float.NegativeInfinity); // expect: a
                static Tensor ImplicitTensor(Tensor t) { Tensor two = 2.0; return t.mul(two); }       // expect: b
                static Tensor ImplicitArrayTensor(Tensor t) => t.mul(new float[] { 1f, 2f });          // expect: b
                static Tensor DefaultedScalar(Tensor t, Scalar lo) => t.clamp(min: lo);              // expect: c
                static Tensor ForwardsAlpha(Tensor t, Scalar eps) => t.add_(eps);                    // expect: d
                static Tensor ForwardsAlphaToo(Tensor t, Tensor u) => t.add(u);                      // expect: d
                static Tensor Unheld(Tensor t) => t.mul(0.5.ToScalar());                              // expect: e
                static Tensor UnheldLocal(Tensor t) { var s = 0.5.ToScalar(); return t.mul(s); }      // expect: e
                static Tensor Safe(Tensor t, Tensor u)
                {
                    using var half = 0.5.ToScalar();
                    using var one = 1.ToScalar();
                    using var scaled = t.mul(half);
                    using var sum = scaled.add(u, one);
                    return sum.add_(half, one).clamp(half, null);
                }
            }
            """;
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(snippet, SourceCompilation.ParseOptions, path: "Snippet.cs");
        var compilation = SourceCompilation.Create("Snippet", OutputKind.DynamicallyLinkedLibrary, [tree], SourceCompilation.References("P2PNode.Training.Tests"));
        AssertCompiles(compilation);

        var report = new ScalarSafetyChecker(compilation, new ScalarCreationScanner(), AllowList).Check([tree], p => p);
        foreach (var v in report.Violations) output.WriteLine(v.ToString());

        var lines = snippet.Split('\n');
        var expected = lines.Select((text, i) => (Line: i + 1, Marker: text.IndexOf("// expect: ", StringComparison.Ordinal), Text: text))
            .Where(x => x.Marker >= 0)
            .Select(x => (x.Line, Rule: x.Text[(x.Marker + "// expect: ".Length)..].Trim()))
            .ToHashSet();
        var found = report.Violations.Select(v => (v.Line, v.Rule)).ToHashSet();
        Assert.Equal(["a", "b", "c", "d", "e"], expected.Select(e => e.Rule).Distinct().Order());
        Assert.True(expected.SetEquals(found),
            $"expected {string.Join(", ", expected.Order())}\nfound {string.Join(", ", found.Order())}\n" + string.Join("\n", report.Violations));
        Assert.All(report.Violations, v => Assert.False(string.IsNullOrWhiteSpace(v.Hint)));
        Assert.Contains(report.Violations, v => v.Rule == "d" && v.Problem.Contains("Scalar.op_Implicit", StringComparison.Ordinal) && v.Hint.Contains("add_(Scalar, Scalar)", StringComparison.Ordinal));
    }

    private void AssertCompiles(Compilation compilation)
    {
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        foreach (var e in errors.Take(20)) output.WriteLine(e.ToString());
        Assert.True(errors.Count == 0, $"{compilation.AssemblyName} does not compile in memory ({errors.Count} errors, first: {errors.FirstOrDefault()}); the check would analyse nothing");
    }
}
