using System.Collections.Concurrent;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Transport;

namespace P2PNode.Peers.Scoring;

/// <summary>
/// Per-peer token buckets for received frames/s and bytes/s (shared by all connections of one peer). A frame
/// over either allowance is dropped before decoding, counted (rate_limited_frames), and reported to the scorer
/// as a RateViolation at most once per <see cref="ScoringOptions.RateViolationReportInterval"/>. Plug into
/// <see cref="Node.NodeHost.WrapConnection"/> through <see cref="Wrap"/>.
/// </summary>
public sealed class PeerRateLimiter(PeerScorer scorer, NodeMetrics metrics)
{
    private sealed class Allowance(ScoringOptions o, DateTimeOffset now)
    {
        public readonly TokenBucket Frames = new(o.FramesPerSecond, o.FrameBurst, now);
        public readonly TokenBucket Bytes = new(o.BytesPerSecond, o.ByteBurst, now);
        public DateTimeOffset LastReport = DateTimeOffset.MinValue;
    }

    private readonly ConcurrentDictionary<PeerId, Allowance> _peers = new();

    public IFrameConnection Wrap(IFrameConnection connection) => new RateLimitedConnection(connection, this);

    /// <summary>True when the peer may deliver a frame of <paramref name="bytes"/> now (tokens taken).</summary>
    public bool Allow(PeerId peer, int bytes)
    {
        var now = scorer.Time.GetUtcNow();
        var a = _peers.GetOrAdd(peer, _ => new Allowance(scorer.Options, now));
        bool ok, report = false;
        lock (a)
        {
            ok = a.Frames.Available(now) >= 1 && a.Bytes.Available(now) >= bytes;
            if (ok)
            {
                a.Frames.TryTake(1, now);
                a.Bytes.TryTake(bytes, now);
            }
            else if (now - a.LastReport >= scorer.Options.RateViolationReportInterval)
            {
                a.LastReport = now;
                report = true;
            }
        }
        if (ok) return true;
        metrics.Increment("rate_limited_frames");
        if (report) scorer.Report(peer, Offence.RateViolation, "exceeding its rate limit");
        return false;
    }

    /// <summary>Forgets a peer's buckets (after it disconnected for good), bounding memory.</summary>
    public void Forget(PeerId peer) => _peers.TryRemove(peer, out _);
}
