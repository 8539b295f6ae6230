namespace P2PNode.Training.Models;

/// <summary>How a language model knows where a token is.</summary>
public enum PositionEncoding
{
    /// <summary>A learned [context, width] embedding added to the token embedding (GPT-2); parameter "pos".</summary>
    Learned,
    /// <summary>Rotary position embedding (RoPE, rotate-half form, base 10,000) applied to queries and keys; no parameters.</summary>
    Rotary,
}
