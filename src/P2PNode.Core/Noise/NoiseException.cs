namespace P2PNode.Noise;

/// <summary>
/// A Noise handshake or transport message was rejected: authentication failed (bad MAC, wrong key),
/// a message had an impossible length, a message arrived out of order, or a nonce ran out. The session
/// must be dropped; no partial result of the failed call may be used.
/// Caller mistakes (a buffer too small, a payload too large to send) are <see cref="ArgumentException"/>s instead.
/// </summary>
public sealed class NoiseException : Exception
{
    public NoiseException(string message) : base(message) { }

    public NoiseException(string message, Exception inner) : base(message, inner) { }
}
