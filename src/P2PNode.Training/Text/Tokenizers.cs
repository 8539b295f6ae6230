using System.Collections.Concurrent;
using System.IO.Compression;
using System.Reflection;

namespace P2PNode.Training.Text;

/// <summary>Turns a tokenizer reference from a run's configuration into a tokenizer.</summary>
public static class Tokenizers
{
    public const string FilePrefix = "file:";

    /// <summary>The named encodings: data package, embedded rank file, pattern, special tokens.</summary>
    private static readonly Dictionary<string, (string Package, string Pattern, SpecialToken[] Special)> Named = new(StringComparer.Ordinal)
    {
        ["gpt2"] = ("Gpt2", TiktokenPatterns.R50k, [new("<|endoftext|>", 50256)]),
        ["r50k_base"] = ("R50kBase", TiktokenPatterns.R50k, [new("<|endoftext|>", 50256)]),
        ["cl100k_base"] = ("Cl100kBase", TiktokenPatterns.Cl100k,
            [new("<|endoftext|>", 100257), new("<|fim_prefix|>", 100258), new("<|fim_middle|>", 100259), new("<|fim_suffix|>", 100260), new("<|endofprompt|>", 100276)]),
        ["o200k_base"] = ("O200kBase", TiktokenPatterns.O200k, [new("<|endoftext|>", 199999), new("<|endofprompt|>", 200018)]),
    };

    // Loading a named vocabulary parses up to 200,000 lines: do it once per process.
    private static readonly ConcurrentDictionary<string, Lazy<TextTokenizer>> Loaded = new(StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = ["bytes", "gpt2", "r50k_base", "cl100k_base", "o200k_base"];

    /// <summary>
    /// "bytes", "gpt2", "r50k_base", "cl100k_base", "o200k_base", or "file:PATH" (a tiktoken rank file split by
    /// <paramref name="pattern"/>, default o200k's). Throws ArgumentException for an unknown name or a bad file.
    /// </summary>
    public static TextTokenizer Resolve(string reference, string? pattern = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.StartsWith(FilePrefix, StringComparison.Ordinal))
        {
            var path = reference[FilePrefix.Length..];
            if (path.Length == 0) throw new ArgumentException("tokenizer \"file:\" needs a path, e.g. file:/data/vocab.tiktoken", nameof(reference));
            if (!File.Exists(path)) throw new ArgumentException($"tokenizer {reference}: no such file", nameof(reference));
            return TiktokenTextTokenizer.FromRankFile(path, pattern);
        }
        if (pattern is not null) throw new ArgumentException($"a pattern can only be given with a file: tokenizer, not {reference}", nameof(pattern));
        if (reference == "bytes") return ByteTokenizer.Instance;
        if (!Named.ContainsKey(reference))
            throw new ArgumentException($"unknown tokenizer \"{reference}\"; known: {string.Join(", ", Names)}, or file:PATH to a tiktoken rank file", nameof(reference));
        return Loaded.GetOrAdd(reference, name => new Lazy<TextTokenizer>(() => LoadNamed(name))).Value;
    }

    private static TiktokenTextTokenizer LoadNamed(string name)
    {
        var (package, pattern, special) = Named[name];
        var assembly = Assembly.Load(new AssemblyName("Microsoft.ML.Tokenizers.Data." + package));
        var resource = assembly.GetManifestResourceNames().Single(r => r.EndsWith(".tiktoken.deflate", StringComparison.Ordinal));
        using var deflate = new DeflateStream(assembly.GetManifestResourceStream(resource)!, CompressionMode.Decompress);
        using var reader = new StreamReader(deflate);
        return new TiktokenTextTokenizer(name, pattern, TiktokenRankFile.Parse(reader, resource), special);
    }
}
