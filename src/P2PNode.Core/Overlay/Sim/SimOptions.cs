namespace P2PNode.Overlay.Sim;

/// <summary>
/// One simulated scenario (`p2pnode sim overlay`). Time is virtual (milliseconds): the run's length does not
/// depend on the machine, and the same seed gives the same run.
/// </summary>
public sealed record SimOptions
{
    /// <summary>Nodes alive at any time (the initial population; churn replaces, keeping the count).</summary>
    public int Nodes { get; init; } = 500;

    /// <summary>Fraction of <see cref="Nodes"/> that leave (crash) during the measured phase, each replaced at the
    /// same instant by a node with a new identity joining through random live contacts.</summary>
    public double Churn { get; init; } = 0.3;

    /// <summary>Broadcasts published during the measured phase, at uniformly random times by random live nodes.</summary>
    public int Messages { get; init; } = 100;

    public int Seed { get; init; } = 1;

    /// <summary>Payload of every broadcast, random bytes.</summary>
    public int PayloadBytes { get; init; } = 256;

    /// <summary>One-way latency of each link, drawn uniformly in [min, max] when the link is created.</summary>
    public int LatencyMinMs { get; init; } = 10;
    public int LatencyMaxMs { get; init; } = 80;

    /// <summary>Probability that a message's first transmission is lost on a link.</summary>
    public double LossRate { get; init; } = 0.01;

    /// <summary>What a loss does: Retransmit (TCP: the message arrives after an extra retransmission timeout,
    /// and everything behind it on that link waits: head-of-line blocking) or Drop (the message vanishes; harsher
    /// than any TCP link, a stress test of repair).</summary>
    public LossMode LossMode { get; init; } = LossMode.Retransmit;

    /// <summary>Extra delay of a retransmitted message (TCP's minimum RTO is 200 ms on Linux).</summary>
    public int RetransmitTimeoutMs { get; init; } = 200;

    /// <summary>A crashed node's neighbours notice after this (a real node: TCP reset, or the keep-alive timeout).</summary>
    public int CrashDetectMs { get; init; } = 1000;

    /// <summary>Initial nodes start this far apart.</summary>
    public int JoinSpacingMs { get; init; } = 10;

    /// <summary>Quiet time after the last initial join, before measuring (shuffles mix the views).</summary>
    public int WarmupMs { get; init; } = 15_000;

    /// <summary>Length of the measured phase (publishing and churn).</summary>
    public int DurationMs { get; init; } = 60_000;

    /// <summary>Time after the measured phase for the last messages to settle.</summary>
    public int DrainMs { get; init; } = 10_000;

    /// <summary>A node counts as an expected receiver of a message if it joined at least this long before the
    /// message was published and was still alive <see cref="DeliveryWindowMs"/> after.</summary>
    public int JoinGraceMs { get; init; } = 3_000;
    public int DeliveryWindowMs { get; init; } = 5_000;

    /// <summary>Bootstrap contacts given to each joining node (random live nodes, like a peers.toml list).</summary>
    public int BootstrapContacts { get; init; } = 3;

    /// <summary>Overlay tunables; the broadcast mode is set per run.</summary>
    public OverlayOptions Overlay { get; init; } = new();

    public void Validate()
    {
        if (Nodes < 2) throw new ArgumentException("--nodes must be at least 2");
        if (Churn is < 0 or > 1) throw new ArgumentException("--churn must be in [0, 1]");
        if (Messages < 1) throw new ArgumentException("--messages must be at least 1");
        if (LatencyMinMs < 1 || LatencyMaxMs < LatencyMinMs) throw new ArgumentException("need 1 <= latency min <= latency max");
        if (LossRate is < 0 or >= 1) throw new ArgumentException("--loss must be in [0, 1)");
        if (PayloadBytes < 0 || PayloadBytes > Overlay.MaxPayloadBytes) throw new ArgumentException("--payload-bytes exceeds the overlay's MaxPayloadBytes");
    }
}
