using System.Text;
using Microsoft.ML.Tokenizers;

namespace P2PNode.Training.Text;

/// <summary>
/// A tiktoken-style byte-level BPE vocabulary: a named encoding from the Microsoft.ML.Tokenizers data packages
/// or a rank file on disk, encoded by Microsoft.ML.Tokenizers' TiktokenTokenizer with our pre-tokenizer regex.
/// Special tokens are known (for <see cref="TokenBytes"/> and <see cref="TextTokenizer.EndOfTextId"/>) but
/// never matched in text: a corpus that contains "&lt;|endoftext|&gt;" is encoded as those characters.
/// </summary>
public sealed class TiktokenTextTokenizer : TextTokenizer
{
    private readonly TiktokenTokenizer _engine;
    private readonly byte[][] _tokenBytes;
    private readonly byte[] _hash;

    internal TiktokenTextTokenizer(string name, string pattern, IReadOnlyList<RankedToken> regular, IReadOnlyList<SpecialToken> special)
    {
        var regex = TiktokenPatterns.Compile(pattern, "tokenizer " + name);
        Name = name;
        Pattern = pattern;
        SpecialTokens = special;
        VocabularySize = Math.Max(regular.Max(t => t.Rank), special.Count == 0 ? -1 : special.Max(t => t.Id)) + 1;
        _tokenBytes = new byte[VocabularySize][];
        Array.Fill(_tokenBytes, []);
        foreach (var t in regular) _tokenBytes[t.Rank] = t.Bytes;
        foreach (var s in special)
        {
            if (_tokenBytes[s.Id].Length > 0) throw new ArgumentException($"tokenizer {name}: special token {s.Text} reuses id {s.Id}");
            _tokenBytes[s.Id] = Encoding.UTF8.GetBytes(s.Text);
        }
        EndOfTextId = special.FirstOrDefault(s => s.Text == "<|endoftext|>")?.Id;
        _hash = TokenizerHash.Compute(pattern, regular, special);
        using var ranks = new MemoryStream(Encoding.UTF8.GetBytes(TiktokenRankFile.Write(regular)));
        // No special tokens for the engine: it would otherwise turn their text inside a document into control ids.
        _engine = TiktokenTokenizer.Create(ranks, new RegexPreTokenizer(regex, null), normalizer: null, specialTokens: null);
    }

    public override string Name { get; }
    public override int VocabularySize { get; }
    public override int? EndOfTextId { get; }
    public string Pattern { get; }
    public IReadOnlyList<SpecialToken> SpecialTokens { get; }
    protected override byte[] CanonicalHash => _hash;

    /// <summary>A tiktoken rank file on disk, named "file:{file name}"; the default pattern is o200k's.</summary>
    public static TiktokenTextTokenizer FromRankFile(string path, string? pattern = null)
    {
        List<RankedToken> tokens;
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8);
            tokens = TiktokenRankFile.Parse(reader, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"rank file {path}: cannot read ({e.Message})", e);
        }
        return new TiktokenTextTokenizer("file:" + System.IO.Path.GetFileName(path), pattern ?? TiktokenPatterns.O200k, tokens, []);
    }

    public override int[] Encode(string text) => text.Length == 0 ? [] : [.. _engine.EncodeToIds(text)];

    public override ReadOnlySpan<byte> TokenBytes(int id)
    {
        CheckId(id);
        return _tokenBytes[id];
    }
}
