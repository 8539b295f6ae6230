namespace P2PNode.Peers.Scoring;

/// <summary>
/// Classic token bucket: holds up to <c>capacity</c> tokens, refills at <c>ratePerSecond</c>, and an action
/// costing n tokens is allowed only while n are available. Times are passed in, so tests drive it with a
/// fake clock. Not thread-safe (one bucket per peer direction, used by one receive loop).
/// </summary>
public sealed class TokenBucket(double ratePerSecond, double capacity, DateTimeOffset start)
{
    private readonly double _capacity = capacity;
    private double _tokens = capacity;
    private DateTimeOffset _at = start;

    public double Available(DateTimeOffset now) => Math.Min(_capacity, _tokens + Math.Max(0, (now - _at).TotalSeconds) * ratePerSecond);

    public bool TryTake(double n, DateTimeOffset now)
    {
        _tokens = Available(now);
        _at = now > _at ? now : _at;
        if (_tokens < n) return false;
        _tokens -= n;
        return true;
    }
}
