namespace P2PNode.Noise;

/// <summary>
/// The interactive Noise handshake patterns this implementation supports (Noise spec rev 34, section 7.5),
/// each always combined with 25519, ChaChaPoly and SHA256.
/// </summary>
public enum HandshakePattern
{
    /// <summary>No static keys: <c>-&gt; e</c>, <c>&lt;- e, ee</c>. Encrypted but unauthenticated.</summary>
    NN,

    /// <summary>Both statics sent encrypted: <c>-&gt; e</c>, <c>&lt;- e, ee, s, es</c>, <c>-&gt; s, se</c>.
    /// The transport's pattern: neither side needs to know the other's key in advance.</summary>
    XX,

    /// <summary>Initiator knows the responder's static key in advance (pre-message <c>&lt;- s</c>):
    /// <c>-&gt; e, es, s, ss</c>, <c>&lt;- e, ee, se</c>. One round trip.</summary>
    IK,
}
