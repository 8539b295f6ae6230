namespace P2PNode.Metrics;

/// <summary>
/// Rewrites a Prometheus text file (atomically: temp file + rename) whenever the counters changed, at most
/// once per period, and once more on dispose. Operators point node_exporter's textfile collector at it; tests
/// read it to check that a rejected input was counted.
/// </summary>
public sealed class MetricsFileWriter : IAsyncDisposable
{
    private readonly NodeMetrics _metrics;
    private readonly string _path;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _writtenVersion = -1;

    public MetricsFileWriter(NodeMetrics metrics, string path, TimeSpan period)
    {
        _metrics = metrics;
        _path = path;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period);
            try { while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)) Flush(); }
            catch (OperationCanceledException) { }
        });
    }

    public void Flush()
    {
        var version = _metrics.Version;
        if (version == Interlocked.Read(ref _writtenVersion)) return;
        var temp = _path + ".tmp";
        File.WriteAllText(temp, _metrics.ToPrometheusText());
        File.Move(temp, _path, overwrite: true);
        Interlocked.Exchange(ref _writtenVersion, version);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        Flush();
        _stop.Dispose();
    }
}
