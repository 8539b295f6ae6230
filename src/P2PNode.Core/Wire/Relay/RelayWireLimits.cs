namespace P2PNode.Wire.Relay;

/// <summary>Hard bounds on relay message fields, checked by the decoder before anything is stored.</summary>
public static class RelayWireLimits
{
    /// <summary>Largest data field of one <see cref="CircuitData"/>: one Noise message of the end-to-end channel
    /// with its length prefix (2 + 65535) fits, so a circuit never needs more.</summary>
    public const int MaxCircuitData = 65_536;

    /// <summary>Length of a peer's public key on the wire.</summary>
    public const int PublicKeyLength = 32;
}
