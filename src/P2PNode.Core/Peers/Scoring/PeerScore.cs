namespace P2PNode.Peers.Scoring;

/// <summary>
/// One peer's score: a value that offences lower and that decays exponentially back toward 0,
/// value(t) = value(t0) * 2^(-(t - t0) / halfLife). Stored as (value, time of value) so decay costs nothing
/// until someone looks. Not thread-safe: <see cref="PeerScorer"/> guards it.
/// </summary>
public sealed class PeerScore(TimeSpan halfLife)
{
    private double _value;
    private DateTimeOffset _at;

    public DateTimeOffset? BannedUntil { get; set; }

    public double ValueAt(DateTimeOffset now)
    {
        var elapsed = (now - _at).TotalSeconds;
        return elapsed <= 0 || _value == 0 ? _value : _value * Math.Pow(0.5, elapsed / halfLife.TotalSeconds);
    }

    public double Add(double delta, DateTimeOffset now)
    {
        _value = ValueAt(now) + delta;
        _at = now;
        return _value;
    }
}
