namespace P2PNode.Overlay.Sim;

/// <summary>A simulated connection between two nodes: one latency, FIFO delivery in each direction (like TCP),
/// and per-endpoint state (dialled, accepted, closed).</summary>
internal sealed class SimLink(SimNode dialer, SimNode target, int latencyMs)
{
    public SimNode Dialer { get; } = dialer;
    public SimNode Target { get; } = target;
    public int LatencyMs { get; } = latencyMs;
    public bool Closed { get; set; }
    public SimNode? ClosedBy { get; set; }

    // Earliest time the next message may arrive, per direction: keeps each direction in order.
    public long NextFreeToTarget { get; set; }
    public long NextFreeToDialer { get; set; }

    public SimNode Other(SimNode n) => n == Dialer ? Target : Dialer;

    public long ArrivalTime(SimNode from, long earliest)
    {
        if (from == Dialer)
        {
            NextFreeToTarget = Math.Max(NextFreeToTarget, earliest);
            return NextFreeToTarget;
        }
        NextFreeToDialer = Math.Max(NextFreeToDialer, earliest);
        return NextFreeToDialer;
    }
}
