using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace P2PNode.Training.Tests.TorchSafety;

/// <summary>Compiles our projects' sources in memory, the way the build does, for the scalar-safety check.</summary>
internal static class SourceCompilation
{
    /// <summary>The folder holding P2PNode.sln, found by walking up from the test binary.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The SDK's implicit usings for Microsoft.NET.Sdk projects with ImplicitUsings enabled (Directory.Build.props).</summary>
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>
    /// Every .cs file under <paramref name="projectDir"/> (bin and obj excluded) plus the implicit usings, compiled
    /// with the source generators the build runs (the SDK's regex generator: HtmlText uses [GeneratedRegex]; the logging
    /// generator: the CLI's log lines are [LoggerMessage] methods).
    /// Returns the compilation and the trees of the project's own files.
    /// </summary>
    public static (Compilation Compilation, IReadOnlyList<SyntaxTree> Sources) Project(string projectDir, string assemblyName, OutputKind kind, params string[] excludeReferences)
    {
        var files = Directory.EnumerateFiles(projectDir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(projectDir, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var sources = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), ParseOptions, path: f)).ToList();
        var usings = CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "ImplicitUsings.g.cs");
        Compilation compilation = Create(assemblyName, kind, [.. sources, usings], References(excludeReferences));
        var driver = CSharpGeneratorDriver.Create(SdkGenerators(), parseOptions: ParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out compilation, out var generatorDiagnostics);
        if (generatorDiagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error) is { } error)
            throw new InvalidOperationException("source generator failed: " + error);
        return (compilation, sources);
    }

    public static CSharpCompilation Create(string assemblyName, OutputKind kind, IEnumerable<SyntaxTree> trees, IEnumerable<MetadataReference> references) =>
        CSharpCompilation.Create(assemblyName, trees, references,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    /// <summary>
    /// The runtime's trusted platform assemblies plus every managed dll next to the test binary (TorchSharp,
    /// P2PNode.Core, P2PNode.Training, their dependencies), each simple name once, minus the named assemblies.
    /// </summary>
    public static IReadOnlyList<MetadataReference> References(params string[] exclude)
    {
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in tpa.Concat(local))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (exclude.Contains(name, StringComparer.OrdinalIgnoreCase) || byName.ContainsKey(name) || !IsManaged(path)) continue;
            byName[name] = path;
        }
        if (!byName.ContainsKey("TorchSharp")) throw new InvalidOperationException("TorchSharp.dll is not among the references");
        return byName.Values.Order(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    }

    private static bool IsManaged(string path)
    {
        try { AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }

    /// <summary>
    /// The regex generator of the SDK's targeting pack (every net10.0 build runs it) and the logging generator of
    /// Microsoft.Extensions.Logging.Abstractions (copied beside the test binary by the test project).
    /// </summary>
    private static ISourceGenerator[] SdkGenerators()
    {
        var logging = Path.Combine(AppContext.BaseDirectory, "generators", "Microsoft.Extensions.Logging.Generators.dll");
        if (!File.Exists(logging)) throw new InvalidOperationException($"the logging source generator is missing: {logging}");
        return [.. Generators(RegexGenerator()), .. Generators(logging)];
    }

    private static string RegexGenerator()
    {
        // <dotnet root>/shared/Microsoft.NETCore.App/<version>/ → <dotnet root>/packs/Microsoft.NETCore.App.Ref/<version>/analyzers/dotnet/cs
        var runtimeDir = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar);
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        var version = Directory.Exists(Path.Combine(packs, Environment.Version.ToString()))
            ? Environment.Version.ToString()
            : Directory.Exists(packs) ? Directory.GetDirectories(packs).Select(Path.GetFileName).OfType<string>().Max(StringComparer.Ordinal) : null;
        var generator = version is null ? null : Path.Combine(packs, version, "analyzers", "dotnet", "cs", "System.Text.RegularExpressions.Generator.dll");
        if (generator is null || !File.Exists(generator))
            throw new InvalidOperationException($"the SDK's regex source generator was not found under {packs}");
        return generator;
    }

    private static IEnumerable<ISourceGenerator> Generators(string generator)
    {
        Type?[] types;
        // The same assembly holds code fixers built on Roslyn's Workspaces, which we do not load: keep what loads.
        try { types = Assembly.LoadFrom(generator).GetTypes(); }
        catch (ReflectionTypeLoadException e) { types = e.Types; }
        return types.OfType<Type>()
            .Where(t => !t.IsAbstract && t.GetCustomAttributes(typeof(GeneratorAttribute), false).Length > 0)
            .Select(t => Activator.CreateInstance(t) switch
            {
                IIncrementalGenerator g => g.AsSourceGenerator(),
                ISourceGenerator g => g,
                _ => throw new InvalidOperationException($"{t} is not a generator"),
            });
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PNode.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no P2PNode.sln above {AppContext.BaseDirectory}");
    }
}
