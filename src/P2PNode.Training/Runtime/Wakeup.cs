namespace P2PNode.Training.Runtime;

/// <summary>
/// What a <see cref="TrainingNode"/> thread sleeps on instead of polling: it wakes when another part of the node
/// pulses it (a contribution, a Status, a result, a trained mark) or when a time it named comes, on the node's
/// <see cref="TimeProvider"/> (a fake clock in tests). A pulse that comes before the wait is not lost, and the
/// waiter re-checks its state after every wake, so a spare wake costs one pass and nothing else. Nothing to dispose:
/// peers' messages keep pulsing it after the node's threads have ended.
/// </summary>
internal sealed class Wakeup(TimeProvider time)
{
    private readonly object _gate = new();
    private bool _pulsed;

    public void Pulse()
    {
        lock (_gate)
        {
            _pulsed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Returns once pulsed (consuming the pulse), or after <paramref name="due"/> (null: no time limit), or
    /// throws <see cref="OperationCanceledException"/> when <paramref name="ct"/> fires.</summary>
    public void Wait(TimeSpan? due, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (due is { } d && d <= TimeSpan.Zero) return;
        using var timer = due is { } after ? time.CreateTimer(_ => Pulse(), null, after, Timeout.InfiniteTimeSpan) : null;
        using var stop = ct.Register(Pulse);
        lock (_gate)
        {
            while (!_pulsed) Monitor.Wait(_gate);
            _pulsed = false;
        }
        ct.ThrowIfCancellationRequested();
    }
}
