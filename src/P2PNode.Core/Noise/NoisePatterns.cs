namespace P2PNode.Noise;

/// <summary>The message sequences of the supported patterns, copied from Noise spec rev 34 section 7.5.
/// Message i (0-based) is written by the initiator when i is even.</summary>
internal static class NoisePatterns
{
    private static readonly NoiseToken[][] Nn =
    [
        [NoiseToken.E],
        [NoiseToken.E, NoiseToken.EE],
    ];

    private static readonly NoiseToken[][] Xx =
    [
        [NoiseToken.E],
        [NoiseToken.E, NoiseToken.EE, NoiseToken.S, NoiseToken.ES],
        [NoiseToken.S, NoiseToken.SE],
    ];

    private static readonly NoiseToken[][] Ik =
    [
        [NoiseToken.E, NoiseToken.ES, NoiseToken.S, NoiseToken.SS],
        [NoiseToken.E, NoiseToken.EE, NoiseToken.SE],
    ];

    public static NoiseToken[][] Messages(HandshakePattern pattern) => pattern switch
    {
        HandshakePattern.NN => Nn,
        HandshakePattern.XX => Xx,
        HandshakePattern.IK => Ik,
        _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "unsupported Noise pattern"),
    };

    /// <summary>Whether each side owns a static key in this pattern (NN: none; XX, IK: both).</summary>
    public static bool UsesStaticKeys(HandshakePattern pattern) => pattern != HandshakePattern.NN;

    /// <summary>IK's pre-message <c>&lt;- s</c>: the responder's static key is known before the first message.</summary>
    public static bool ResponderStaticIsPreMessage(HandshakePattern pattern) => pattern == HandshakePattern.IK;
}
