namespace P2PNode.Training.Text;

/// <summary>One distinct regex piece during BPE training: its current token ids and how often it occurs.</summary>
internal sealed class BpeWord(int[] symbols, long count)
{
    public int[] Symbols { get; set; } = symbols;
    public long Count { get; } = count;
}
