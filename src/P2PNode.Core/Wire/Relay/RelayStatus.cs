namespace P2PNode.Wire.Relay;

/// <summary>Why a relay refused a reservation or a circuit, or why a circuit ended (docs/protocol.md, "Relay").
/// Wire values, never renumber. The snake_case name is the metrics counter suffix.</summary>
public enum RelayStatus : uint
{
    /// <summary>Closed by one end on purpose (end of the session over it).</summary>
    Normal = 0,
    /// <summary>The peer asked does not offer relay service (no "relay/1" capability, or it is switched off).</summary>
    Disabled = 1,
    /// <summary>The target holds no live reservation on this relay.</summary>
    NoReservation = 2,
    /// <summary>The relay holds as many reservations as it accepts.</summary>
    ReservationLimit = 3,
    /// <summary>Too many circuits for the target's reservation, or on the relay in total.</summary>
    CircuitLimit = 4,
    /// <summary>The circuit carried as many bytes as one circuit may.</summary>
    DataLimit = 5,
    /// <summary>The circuit was open as long as one circuit may be.</summary>
    DurationLimit = 6,
    /// <summary>The next hop could not take the data at once (its queue or buffer was full).</summary>
    FlowControl = 7,
    /// <summary>The target refused the circuit (it holds no reservation with this relay, or is at its limit).</summary>
    Refused = 8,
    /// <summary>The target did not accept the circuit in time.</summary>
    Timeout = 9,
    /// <summary>A relay message broke the state machine (data before open, a circuit to oneself, a duplicate id).</summary>
    ProtocolViolation = 10,
    /// <summary>A circuit message named a circuit id this side does not know.</summary>
    UnknownCircuit = 11,
    /// <summary>The session to the other end of the circuit ended.</summary>
    PeerGone = 12,
}
