using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace P2PNode.Training.Text;

/// <summary>
/// The canonical tokenizer hash (docs/training.md): SHA-256 of the UTF-8 text
/// "p2pnode-tokenizer/1\n" + "pattern {regex}\n" + "{base64(bytes)} {rank}\n" per regular token in rank order
/// + "special {text} {id}\n" per special token in id order. Defined on content, never on a file's layout, so the
/// same vocabulary hashes the same whether it came from a data package or a rank file.
/// </summary>
internal static class TokenizerHash
{
    public const string Header = "p2pnode-tokenizer/1\n";

    public static byte[] Compute(string pattern, IReadOnlyList<RankedToken> regular, IReadOnlyList<SpecialToken> special)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var line = new StringBuilder();
        void Add(StringBuilder text) { hash.AppendData(Encoding.UTF8.GetBytes(text.ToString())); text.Clear(); }
        line.Append(Header).Append("pattern ").Append(pattern).Append('\n');
        Add(line);
        foreach (var token in regular.OrderBy(t => t.Rank))
        {
            line.Append(Convert.ToBase64String(token.Bytes)).Append(' ').Append(token.Rank.ToString(CultureInfo.InvariantCulture)).Append('\n');
            if (line.Length > 1 << 16) Add(line);
        }
        foreach (var token in special.OrderBy(t => t.Id))
            line.Append("special ").Append(token.Text).Append(' ').Append(token.Id.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Add(line);
        return hash.GetHashAndReset();
    }
}
