namespace P2PNode.Peers.Scoring;

/// <summary>
/// Peer scoring and rate limits (docs/transfer.md, "Peer scoring"). A score starts at 0, each offence subtracts
/// its penalty, and the score decays back toward 0 with <see cref="HalfLife"/>. Defaults: an honest peer with a
/// flaky link (an occasional timeout) never reaches the graylist; a peer serving garbage is banned after four
/// bad chunks in quick succession; one forged signature graylists at once.
/// </summary>
public sealed record ScoringOptions
{
    public double InvalidMessagePenalty { get; init; } = 10;
    public double BadChunkPenalty { get; init; } = 25;
    public double BrokenPromisePenalty { get; init; } = 15;
    public double RateViolationPenalty { get; init; } = 5;
    public double ForgedSignaturePenalty { get; init; } = 50;

    /// <summary>Time for a score to halve on its way back to 0. Longer remembers misbehaviour longer; it should
    /// exceed the time an attacker needs to retry, so a short pause does not launder a score.</summary>
    public TimeSpan HalfLife { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>At or below this the peer is graylisted: its gossip and announcements are ignored, but its
    /// connection and its answers to our requests are kept.</summary>
    public double GraylistThreshold { get; init; } = -40;

    /// <summary>At or below this the peer is disconnected (Disconnect Banned) and refused for <see cref="BanDuration"/>.</summary>
    public double BanThreshold { get; init; } = -100;

    public TimeSpan BanDuration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Sustained frames per second accepted from one peer, and the burst above it. Generous: gossip and
    /// chunk traffic of an honest peer stay well below; a flood does not.</summary>
    public double FramesPerSecond { get; init; } = 1000;
    public double FrameBurst { get; init; } = 2000;

    /// <summary>Sustained bytes per second from one peer and the burst (chunk serving at full speed fits).</summary>
    public double BytesPerSecond { get; init; } = 32 * 1024 * 1024;
    public double ByteBurst { get; init; } = 64 * 1024 * 1024;

    /// <summary>At most one RateViolation offence per peer per this interval (frames over the limit are dropped
    /// and counted every time), so a burst costs a few points and only a sustained flood leads to a ban.</summary>
    public TimeSpan RateViolationReportInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>While a peer is graylisted its gossip is dropped unprocessed, except that one of its Gossip messages
    /// per this interval has its origin signature checked (<see cref="GraylistedGossipCheck"/>): a forgery costs
    /// <see cref="ForgedSignaturePenalty"/>, so with the defaults a peer that forges on is banned at
    /// the second check (the first leaves it a hair above -100, its score having decayed meanwhile). Zero: never checked (a
    /// graylisted forger is then only banned by other offences).</summary>
    public TimeSpan GraylistedCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Peers whose score is tracked; decayed entries are forgotten first beyond it.</summary>
    public int MaxTrackedPeers { get; init; } = 10_000;

    public double PenaltyOf(Offence offence) => offence switch
    {
        Offence.InvalidMessage => InvalidMessagePenalty,
        Offence.BadChunk => BadChunkPenalty,
        Offence.BrokenPromise => BrokenPromisePenalty,
        Offence.RateViolation => RateViolationPenalty,
        Offence.ForgedSignature => ForgedSignaturePenalty,
        _ => throw new ArgumentOutOfRangeException(nameof(offence), offence, "unknown offence"),
    };
}
