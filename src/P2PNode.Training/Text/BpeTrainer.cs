namespace P2PNode.Training.Text;

/// <summary>
/// Trains a small byte-level BPE vocabulary (e.g. 4,096 tokens on public multilingual text) and writes it as a
/// tiktoken rank file, loadable through "file:PATH" with the same pattern. Deterministic: same texts, size and
/// pattern give the same file, byte for byte.
/// </summary>
public static class BpeTrainer
{
    /// <summary>
    /// Ranks 0..255 are the single bytes; each later rank is the next merge: the adjacent pair of tokens (inside
    /// one regex piece) with the highest count over the texts, ties going to the lowest (left id, right id).
    /// Stops early if no pair is left. A merge whose bytes already have a token reuses that token (a rank file
    /// holds each byte string once) and adds no rank.
    /// </summary>
    /// <returns>The rank file's text: "{base64} {rank}\n" per token in rank order.</returns>
    public static string Train(IEnumerable<string> texts, int vocabularySize, string? pattern = null)
    {
        if (vocabularySize < 256) throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"vocabulary size {vocabularySize}: at least the 256 single bytes are needed");
        var regex = TiktokenPatterns.Compile(pattern ?? TiktokenPatterns.O200k, "BPE trainer");
        var pieces = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = pieces.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var text in texts)
            foreach (var m in regex.EnumerateMatches(text))
            {
                var piece = text.AsSpan(m.Index, m.Length);
                lookup[piece] = lookup.TryGetValue(piece, out var n) ? n + 1 : 1;
            }
        var words = pieces.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new BpeWord(System.Text.Encoding.UTF8.GetBytes(p.Key).Select(b => (int)b).ToArray(), p.Value))
            .ToArray();
        var tokens = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList();
        new BpeMerger(words).Run(vocabularySize, tokens);
        return TiktokenRankFile.Write(tokens.Select((bytes, rank) => new RankedToken(bytes, rank)));
    }

    public static void TrainToFile(IEnumerable<string> texts, int vocabularySize, string path, string? pattern = null) =>
        File.WriteAllText(path, Train(texts, vocabularySize, pattern), new System.Text.UTF8Encoding(false));
}
