using P2PNode.Wire.Relay;

namespace P2PNode.Relay;

/// <summary>A relay refused a reservation or a circuit; <see cref="Status"/> is the wire reason.</summary>
public sealed class RelayException(RelayStatus status, string message) : Exception(message)
{
    public RelayStatus Status { get; } = status;

    /// <summary>Counter suffix, e.g. "no_reservation".</summary>
    public string CounterName => Transport.TransportException.ToSnake(Status.ToString());
}
