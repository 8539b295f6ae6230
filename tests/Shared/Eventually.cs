using System.Diagnostics;

namespace P2PNode.TestSupport;

/// <summary>
/// The one wait-until of the test projects (tests/Shared, linked into each test project): polls a condition
/// until it holds or a deadline passes. The condition is the assertion, not the time taken; on timeout it
/// fails with what was awaited, how long, and (when given) the state seen last.
/// </summary>
internal static class Eventually
{
    /// <summary>Deadline when a site gives none: generous, because the machines running the suite are shared.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    /// <param name="what">What is awaited, for the failure message ("the relay dropped the circuit").</param>
    /// <param name="detail">Describes the state at the timeout (e.g. a counter's value or a process's output).</param>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? detail = null,
        TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout, detail, interval);

    /// <summary>As above, for a condition that must itself wait (a query to a process, a file read).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<string>? detail = null,
        TimeSpan? interval = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                var seen = detail is null ? "" : $"\n{detail()}";
                throw new TimeoutException($"timed out after {limit.TotalSeconds:0.###} s waiting for: {what}{seen}");
            }
            await Task.Delay(interval ?? DefaultInterval);
        }
    }
}
