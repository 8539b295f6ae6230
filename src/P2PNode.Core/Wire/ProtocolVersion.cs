namespace P2PNode.Wire;

/// <summary>
/// The wire protocol version. Peers of another major version are refused; a higher minor version may add
/// trailing array elements and new message types, which v1.0 decoders ignore.
/// </summary>
public static class ProtocolVersion
{
    public const uint Major = 1;
    public const uint Minor = 0;

    /// <summary>Noise prologue: both sides must use the same bytes or the handshake fails.</summary>
    public static ReadOnlySpan<byte> NoisePrologue => "p2pnode"u8;
}
