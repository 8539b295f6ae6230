namespace P2PNode.Relay;

/// <summary>
/// Limits of the relay service: every one exists so that offering relay cannot be turned into free bandwidth
/// or memory for others. Defaults suit a volunteer node that relays for a few dozen NATed peers; the
/// [relay] table of node.toml maps onto this record (docs/configuration.md).
/// </summary>
public sealed record RelayServiceOptions
{
    /// <summary>Reservations held at once (one per reserving peer). Beyond it: ReserveRefused(reservation_limit).</summary>
    public int MaxReservations { get; init; } = 64;

    /// <summary>How long a reservation lasts without renewal; clients renew at half of it.</summary>
    public TimeSpan ReservationTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Circuits open at once to one reserved target (circuit_limit beyond it).</summary>
    public int MaxCircuitsPerReservation { get; init; } = 8;

    /// <summary>Circuits open at once on the relay in total (circuit_limit beyond it).</summary>
    public int MaxCircuits { get; init; } = 128;

    /// <summary>Bytes one circuit may carry, both directions together; then it is closed (data_limit).</summary>
    public long MaxCircuitBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How long one circuit may stay open; then it is closed (duration_limit). The two ends redial.</summary>
    public TimeSpan MaxCircuitDuration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The target must accept an incoming circuit within this (else timeout).</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        if (MaxReservations < 1 || MaxCircuitsPerReservation < 1 || MaxCircuits < 1)
            throw new ArgumentException("relay reservation and circuit caps must be at least 1");
        if (MaxCircuitBytes < 64 * 1024) throw new ArgumentException("MaxCircuitBytes must be at least 65536 (one handshake must fit)");
        if (ReservationTtl < TimeSpan.FromSeconds(2) || MaxCircuitDuration < TimeSpan.FromSeconds(1) || OpenTimeout <= TimeSpan.Zero)
            throw new ArgumentException("relay durations are too short");
    }
}
