namespace P2PNode.Nat;

/// <summary>
/// When to resend a NAT-PMP or PCP request that got no reply. RFC 6886 section 3.1 starts at 250 ms and
/// doubles the wait each time; the RFC's nine tries (about 64 s) are far too long for a node that wants to
/// start, so <see cref="TotalTimeout"/> bounds the whole exchange: after it, the request fails with
/// <see cref="NatTimeoutException"/>. A gateway that drops a request (miniupnpd ignores malformed ones) can
/// therefore never make a caller wait forever.
/// </summary>
public sealed record RetransmitPolicy
{
    /// <summary>Wait after the first transmission; doubled after each resend. RFC 6886: 250 ms.</summary>
    public TimeSpan InitialTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Upper bound on a single wait (RFC 6887 section 8.1.1 caps it at 1024 s; we stay far below).</summary>
    public TimeSpan MaxTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Total time for the exchange, all resends included: sends at 0, 0.25, 0.75, 1.75 and 3.75 s with the defaults.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>For discovery probes: a gateway on the LAN answers in milliseconds, so 1 s (3 sends) is plenty.</summary>
    public static RetransmitPolicy Probe { get; } = new() { TotalTimeout = TimeSpan.FromSeconds(1) };

    internal void Validate()
    {
        if (InitialTimeout <= TimeSpan.Zero) throw new ArgumentException($"InitialTimeout must be positive, got {InitialTimeout}");
        if (MaxTimeout < InitialTimeout) throw new ArgumentException($"MaxTimeout {MaxTimeout} is below InitialTimeout {InitialTimeout}");
        if (TotalTimeout < InitialTimeout) throw new ArgumentException($"TotalTimeout {TotalTimeout} is below InitialTimeout {InitialTimeout}");
    }
}
