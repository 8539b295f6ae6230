namespace P2PNode.TestSupport;

/// <summary>A TimeProvider that moves only when told: deterministic decay, bans, token refills and Have lifetimes
/// (tests/Shared, linked into each test project).</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}
