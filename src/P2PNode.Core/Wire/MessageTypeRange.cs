namespace P2PNode.Wire;

/// <summary>An inclusive range of message type codes one component owns on a node (see NodeHost.Register).</summary>
public readonly record struct MessageTypeRange(uint First, uint Last)
{
    /// <summary>Overlay (membership and gossip): codes 16–63.</summary>
    public static readonly MessageTypeRange Overlay = new(16, 63);

    /// <summary>Content transfer: codes 64–79.</summary>
    public static readonly MessageTypeRange Transfer = new(64, 79);

    /// <summary>Ledger sync: LedgerHeads–LedgerUnavailable (80–85).</summary>
    public static readonly MessageTypeRange Ledger = new((uint)MessageType.LedgerHeads, (uint)MessageType.LedgerUnavailable);

    /// <summary>Relay (reservations and circuits): codes 96–103.</summary>
    public static readonly MessageTypeRange Relay = new(96, 103);

    public bool Contains(MessageType type) => (uint)type >= First && (uint)type <= Last;
    public bool Overlaps(MessageTypeRange other) => First <= other.Last && other.First <= Last;
    public override string ToString() => $"{First}-{Last}";
}
