namespace P2PNode.Training.Text;

/// <summary>A control token such as &lt;|endoftext|&gt;: never produced by <see cref="TextTokenizer.Encode"/>.</summary>
public sealed record SpecialToken(string Text, int Id);
