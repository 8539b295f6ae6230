using P2PNode.TestSupport;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>What the training node's threads sleep on (no polling): a pulse, the time they named on the node's clock,
/// or the stop token wakes them, and nothing else.</summary>
public sealed class WakeupTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task It_sleeps_until_the_named_time_on_the_nodes_clock_not_the_wall_clock()
    {
        var clock = new ManualClock();
        var wake = new Wakeup(clock);
        var waiting = Task.Run(() => wake.Wait(TimeSpan.FromSeconds(5), CancellationToken.None));
        // On a loaded machine the waiter may not have started yet: advancing before it arms its timer would move
        // its due time along with the clock (CI failed here once, 12 s timeout).
        await Eventually.UntilAsync(() => clock.PendingTimers == 1, "the waiter to arm its timer", TimeSpan.FromSeconds(30));
        await Task.Delay(Settle);
        Assert.False(waiting.IsCompleted); // 200 ms of real time is nothing on the manual clock
        clock.Advance(TimeSpan.FromMilliseconds(4_999));
        await Task.Delay(Settle);
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_pulse_wakes_it_and_one_sent_before_the_wait_is_not_lost_but_used_once()
    {
        var wake = new Wakeup(new ManualClock());
        var waiting = Task.Run(() => wake.Wait(null, CancellationToken.None));
        await Task.Delay(Settle);
        Assert.False(waiting.IsCompleted);
        wake.Pulse();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        wake.Pulse(); // before the wait: returns at once
        await Task.Run(() => wake.Wait(null, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(10));
        var second = Task.Run(() => wake.Wait(null, CancellationToken.None)); // that pulse is spent
        await Task.Delay(Settle);
        Assert.False(second.IsCompleted);
        wake.Pulse();
        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Stopping_the_node_ends_the_wait_with_a_cancellation()
    {
        using var stop = new CancellationTokenSource();
        var wake = new Wakeup(new ManualClock());
        var waiting = Task.Run(() => wake.Wait(TimeSpan.FromHours(1), stop.Token));
        await Task.Delay(Settle);
        Assert.False(waiting.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
