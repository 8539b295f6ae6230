namespace P2PNode.Relay;

/// <summary>Limits of the ends of relayed circuits (the dialer and the reserved target).</summary>
public sealed record RelayClientOptions
{
    /// <summary>Relayed inbound circuits accepted at once; beyond it an IncomingCircuit is refused (circuit_limit).</summary>
    public int MaxInboundCircuits { get; init; } = 32;

    /// <summary>Bytes received on one circuit and not yet read by the session above; beyond it the circuit is
    /// closed (flow_control). Larger than the largest frame, so a healthy session never hits it.</summary>
    public long MaxBufferedBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>How long a dialer waits for the relay to open a circuit, and a reserving node for the relay's answer.</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
