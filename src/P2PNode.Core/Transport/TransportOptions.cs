namespace P2PNode.Transport;

/// <summary>
/// Tunables of the authenticated transport. Defaults suit a volunteer node on a home connection; the
/// [network] table of node.toml maps onto this record one key per property (snake_case there).
/// </summary>
public sealed record TransportOptions
{
    /// <summary>Addresses to listen on, "host:port". Port 0 picks a free port (tests, swarms).</summary>
    public IReadOnlyList<string> Listen { get; init; } = ["0.0.0.0:7700"];

    /// <summary>Inbound connections accepted in total; beyond it new ones are closed at once (counted).</summary>
    public int MaxInbound { get; init; } = 256;

    /// <summary>Inbound connections from one remote IP; stops one host from taking every slot.</summary>
    public int MaxInboundPerAddress { get; init; } = 8;

    /// <summary>The whole Noise handshake plus Hello must finish within this, or the socket is closed.
    /// Short: a peer that connects and sends nothing must not hold a slot.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A connection with no frame received for this long is closed (Disconnect reason idle).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A Ping is sent when nothing was sent for this long, so healthy idle links stay open
    /// (and NAT bindings stay warm). Must be well under IdleTimeout.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest application frame accepted, checked against the length prefix before any
    /// allocation. Larger objects travel as content-addressed chunks.</summary>
    public int MaxFrameSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Frames queued for one peer; a frame offered to a full queue is dropped (counted in
    /// send_queue_dropped): a slow peer never stalls the node.</summary>
    public int SendQueueCapacity { get; init; } = 1024;

    /// <summary>Bytes queued for one peer and not yet handed to its connection. A frame that would take the queue
    /// over it is dropped (send_queue_dropped, and its bytes in send_queue_dropped_bytes; logged once per episode),
    /// unless the queue is empty, so one frame of up to <see cref="MaxFrameSize"/> always goes; bulk senders that
    /// wait for room (transfers) wait for bytes too. Without it 1024 queued model deltas could hold gigabytes.</summary>
    public long SendQueueMaxBytes { get; init; } = 32L * 1024 * 1024;
}
