namespace P2PNode.Overlay.Sim;

/// <summary>A discrete-event scheduler on virtual milliseconds. Events at the same time run in the order they
/// were scheduled, which (with seeded randomness) makes every run repeatable.</summary>
internal sealed class SimScheduler
{
    private readonly PriorityQueue<Action, (long Time, long Seq)> _queue = new();
    private long _seq;

    public long Now { get; private set; }
    public long Processed { get; private set; }

    public void At(long time, Action action) => _queue.Enqueue(action, (Math.Max(time, Now), _seq++));

    public void RunUntil(long end)
    {
        while (_queue.TryPeek(out _, out var key) && key.Time <= end)
        {
            var action = _queue.Dequeue();
            Now = key.Time;
            Processed++;
            action();
        }
        Now = end;
    }
}
