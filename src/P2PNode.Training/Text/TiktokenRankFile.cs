using System.Globalization;
using System.Text;

namespace P2PNode.Training.Text;

/// <summary>
/// The tiktoken rank file: one line per regular token, "{base64 of its bytes} {rank}". Also reads the compact
/// layout the Microsoft.ML.Tokenizers data packages embed (a "Capacity: N" first line, then base64 alone with
/// the rank implied by the line's position).
/// </summary>
internal static class TiktokenRankFile
{
    public static List<RankedToken> Parse(TextReader reader, string source)
    {
        var tokens = new List<RankedToken>();
        var byBytes = new Dictionary<string, int>(StringComparer.Ordinal);
        var ranks = new HashSet<int>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            line = line.TrimEnd('\r');
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("Capacity:", StringComparison.Ordinal))) continue;
            string Where() => $"rank file {source}, line {lineNumber}";
            var space = line.IndexOf(' ');
            var base64 = space < 0 ? line : line[..space];
            var rank = tokens.Count;
            if (space >= 0 && !int.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out rank))
                throw new ArgumentException($"{Where()}: \"{Short(line)}\" is not \"<base64> <rank>\"");
            byte[] bytes;
            try { bytes = Convert.FromBase64String(base64); }
            catch (FormatException) { throw new ArgumentException($"{Where()}: \"{Short(base64)}\" is not base64"); }
            if (bytes.Length == 0) throw new ArgumentException($"{Where()}: a token must have at least one byte");
            if (!ranks.Add(rank)) throw new ArgumentException($"{Where()}: rank {rank} appears twice");
            if (!byBytes.TryAdd(base64, rank)) throw new ArgumentException($"{Where()}: token {base64} appears twice (ranks {byBytes[base64]} and {rank})");
            tokens.Add(new RankedToken(bytes, rank));
        }
        if (tokens.Count == 0) throw new ArgumentException($"rank file {source}: no tokens");
        // Byte-level BPE starts from single bytes: without all 256 some text could not be encoded at all.
        var missing = Enumerable.Range(0, 256).Where(b => !byBytes.ContainsKey(Convert.ToBase64String([(byte)b]))).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"rank file {source}: {missing.Count} single bytes have no token (first: 0x{missing[0]:x2}); a byte-level vocabulary needs all 256");
        return tokens;
    }

    /// <summary>The file's text for tokens in rank order (rank = position), "\n" line ends.</summary>
    public static string Write(IEnumerable<RankedToken> tokens)
    {
        var text = new StringBuilder();
        foreach (var token in tokens.OrderBy(t => t.Rank))
            text.Append(Convert.ToBase64String(token.Bytes)).Append(' ').Append(token.Rank.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
