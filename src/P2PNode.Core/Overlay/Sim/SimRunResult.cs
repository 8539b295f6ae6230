namespace P2PNode.Overlay.Sim;

/// <summary>Measured figures of one simulated run (one broadcast mode). Percentiles are nearest-rank.</summary>
public sealed record SimRunResult
{
    public required string Mode { get; init; }
    public int Nodes { get; init; }
    public int ChurnEvents { get; init; }
    public int Messages { get; init; }

    /// <summary>(message, node) pairs where the node was alive and settled for the whole delivery window.</summary>
    public long ExpectedDeliveries { get; init; }
    public long DeliveredToExpected { get; init; }
    public double DeliveryRatio { get; init; }

    /// <summary>All first deliveries, including to nodes outside the expected set (e.g. just joined).</summary>
    public long Deliveries { get; init; }

    public int HopsP50 { get; init; }
    public int HopsP90 { get; init; }
    public int HopsP99 { get; init; }
    public int HopsMax { get; init; }
    public long LatencyP50Ms { get; init; }
    public long LatencyP90Ms { get; init; }
    public long LatencyP99Ms { get; init; }
    public long LatencyMaxMs { get; init; }

    /// <summary>Gossip frames sent (each carries the payload) and that per delivery.</summary>
    public long PayloadCopies { get; init; }
    public double CopiesPerDelivery { get; init; }

    /// <summary>Frame bytes (MessagePack + 4-byte length prefix; no Noise overhead) by kind.</summary>
    public long PayloadBytes { get; init; }
    public long BroadcastControlBytes { get; init; }
    public long MembershipBytes { get; init; }
    public double ControlBytesPerDelivery { get; init; }

    /// <summary>Active-view size -> number of live nodes with it, at the end of the run.</summary>
    public required SortedDictionary<int, int> DegreeHistogram { get; init; }
    public double DegreeMean { get; init; }
    public double PassiveMean { get; init; }

    public long LostTransmissions { get; init; }
    public long SignaturesVerified { get; init; }
    public double VirtualSeconds { get; init; }
    public double WallSeconds { get; init; }
    public long EventsProcessed { get; init; }

    /// <summary>Every overlay counter summed over all nodes (NodeMetrics names).</summary>
    public required SortedDictionary<string, long> Counters { get; init; }

    /// <summary>Frames sent per message type.</summary>
    public required SortedDictionary<string, long> FramesByType { get; init; }
}
