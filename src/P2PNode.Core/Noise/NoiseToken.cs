namespace P2PNode.Noise;

/// <summary>The tokens of a Noise message pattern (spec section 7.1), without the PSK token.</summary>
internal enum NoiseToken
{
    E,
    S,
    EE,
    ES,
    SE,
    SS,
}
