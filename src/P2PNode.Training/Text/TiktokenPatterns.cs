using System.Text.RegularExpressions;

namespace P2PNode.Training.Text;

/// <summary>
/// Pre-tokenizer regexes (.NET syntax) of the tiktoken encodings, exactly as Microsoft.ML.Tokenizers 3.0.0 runs
/// them (tiktoken's possessive quantifiers written as atomic groups). Text is split into pieces by the regex and
/// BPE never merges across pieces. The pattern is part of the tokenizer hash.
/// </summary>
public static class TiktokenPatterns
{
    /// <summary>gpt2 and r50k_base.</summary>
    public const string R50k = @"'(?:[sdmt]|ll|ve|re)| ?(?>\p{L}+)| ?(?>\p{N}+)| ?(?>[^\s\p{L}\p{N}]+)|(?>\s+)$|\s+(?!\S)|\s";

    public const string Cl100k = @"'(?i:[sdmt]|ll|ve|re)|(?>[^\r\n\p{L}\p{N}]?)(?>\p{L}+)|(?>\p{N}{1,3})| ?(?>[^\s\p{L}\p{N}]+)(?>[\r\n]*)|(?>\s+)$|\s*[\r\n]|\s+(?!\S)|\s";

    /// <summary>o200k_base; also the default for rank files and the BPE trainer (it splits CJK, digits and
    /// case changes sensibly across scripts).</summary>
    public const string O200k = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>The one way patterns are compiled, so the trainer and the encoder split text identically.</summary>
    internal static Regex Compile(string pattern, string owner)
    {
        if (pattern.Contains('\n')) throw new ArgumentException($"{owner}: the pre-tokenizer pattern must be one line (it is hashed as a line)");
        try { return new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant); }
        catch (ArgumentException e) { throw new ArgumentException($"{owner}: invalid pre-tokenizer regex ({e.Message})", e); }
    }
}
