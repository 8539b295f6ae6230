using System.Text;

namespace P2PNode.Training.Text;

/// <summary>
/// One token per UTF-8 byte (id = byte value, V = 256): every language and script works unchanged, at the
/// cost of long sequences. Hashes like any vocabulary: empty pattern, 256 regular tokens, no special token.
/// </summary>
public sealed class ByteTokenizer : TextTokenizer
{
    private static readonly byte[][] Tokens = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToArray();
    private static readonly byte[] Hash =
        TokenizerHash.Compute("", Tokens.Select((bytes, rank) => new RankedToken(bytes, rank)).ToList(), []);

    public static readonly ByteTokenizer Instance = new();

    private ByteTokenizer() { }

    public override string Name => "bytes";
    public override int VocabularySize => 256;
    public override int? EndOfTextId => null;
    protected override byte[] CanonicalHash => Hash;

    public override int[] Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var ids = new int[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) ids[i] = bytes[i];
        return ids;
    }

    public override ReadOnlySpan<byte> TokenBytes(int id)
    {
        CheckId(id);
        return Tokens[id];
    }
}
