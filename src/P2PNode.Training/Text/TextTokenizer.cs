using System.Text;

namespace P2PNode.Training.Text;

/// <summary>
/// Turns text into token ids and back. Every id stands for an exact byte string, so a model's loss can be
/// reported per UTF-8 byte whatever the vocabulary (bits per byte), and <see cref="Sha256"/> pins the
/// vocabulary in a run's genesis: a node whose tokenizer hashes differently refuses the run.
/// </summary>
public abstract class TextTokenizer
{
    /// <summary>"bytes", "gpt2", "r50k_base", "cl100k_base", "o200k_base" or "file:NAME".</summary>
    public abstract string Name { get; }

    /// <summary>Ids are 0..VocabularySize−1, special tokens and unassigned ids included.</summary>
    public abstract int VocabularySize { get; }

    /// <summary>The vocabulary's end-of-text token, if it has one (gpt2: 50256); null for bytes.</summary>
    public abstract int? EndOfTextId { get; }

    /// <summary>The canonical hash (docs/training.md, "Tokenizer hash"). A fresh copy on every call.</summary>
    public byte[] Sha256 => (byte[])CanonicalHash.Clone();

    public string Sha256Hex => Convert.ToHexStringLower(CanonicalHash);

    protected abstract byte[] CanonicalHash { get; }

    /// <summary>Ids for the text; no special tokens are added, and special-token text is encoded as plain text.</summary>
    public abstract int[] Encode(string text);

    /// <summary>The exact UTF-8 bytes the id stands for (a special token: its text; an unassigned id: none).</summary>
    public abstract ReadOnlySpan<byte> TokenBytes(int id);

    public int TokenByteLength(int id) => TokenBytes(id).Length;

    /// <summary>The tokens' bytes concatenated and decoded as UTF-8; invalid sequences become U+FFFD.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids) bytes.AddRange(TokenBytes(id));
        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }

    public override string ToString() => $"{Name} (V={VocabularySize}, sha256 {Sha256Hex[..16]}…)";

    protected void CheckId(int id)
    {
        if ((uint)id >= (uint)VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(id), $"token id {id} is outside 0..{VocabularySize - 1} of tokenizer {Name}");
    }
}
