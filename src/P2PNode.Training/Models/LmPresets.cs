namespace P2PNode.Training.Models;

/// <summary>
/// Named language-model shapes, from a CPU test model to the shape of GPT-2 small. A preset fixes layers, width,
/// heads and context (and, for gpt2-small, the GPT-2 tokenizer, learned positions and a tied head as in GPT-2);
/// any of them can be overridden on the command line. Parameter counts in docs/training.md.
/// </summary>
public static class LmPresets
{
    public sealed record Preset(string Name, int Layers, int Width, int Heads, int Context, string Tokenizer, PositionEncoding Positions, bool Tied, string Purpose);

    public static readonly IReadOnlyList<Preset> All =
    [
        new("tiny", 2, 64, 2, 64, "bytes", PositionEncoding.Rotary, true, "unit and CI tests (about 0.1M parameters with bytes)"),
        new("mini", 4, 128, 4, 128, "bytes", PositionEncoding.Rotary, true, "multilingual experiments on a 2-core CPU (about 0.8M)"),
        new("small", 6, 256, 8, 256, "bytes", PositionEncoding.Rotary, true, "a workstation CPU (about 4.8M)"),
        new("medium", 8, 512, 8, 256, "bytes", PositionEncoding.Rotary, true, "the 25M-parameter scale test (about 25M)"),
        new("gpt2-small", 12, 768, 12, 1024, "gpt2", PositionEncoding.Learned, true, "the shape of GPT-2 small (124M with the GPT-2 vocabulary); a GPU"),
    ];

    public static Preset Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown lm preset '{name}' (expected {string.Join(", ", All.Select(p => p.Name))})");
}
