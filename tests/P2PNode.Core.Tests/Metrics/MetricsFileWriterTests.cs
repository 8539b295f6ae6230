using P2PNode.Metrics;

namespace P2PNode.Core.Tests.Metrics;

/// <summary>docs/metrics.md (issue 12, item 10): metrics.prom is rewritten on the writer's tick only when a counter
/// changed, atomically, and once more when the node stops.</summary>
public sealed class MetricsFileWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pnode-metrics-").FullName;
    private string PromPath => Path.Combine(_dir, "metrics.prom");

    [Fact]
    public async Task TheFileIsRewrittenOnlyWhenACounterChanged()
    {
        var metrics = new NodeMetrics();
        await using var writer = new MetricsFileWriter(metrics, PromPath, TimeSpan.FromMilliseconds(20));
        metrics.Increment("frames_sent");
        await Eventually.UntilAsync(() => File.Exists(PromPath), "a changed counter to be written", TimeSpan.FromSeconds(10));
        Assert.Contains("p2pnode_frames_sent_total 1", File.ReadAllText(PromPath));
        // Removed and nothing changed: 25 ticks later it is still absent (a writer that rewrote every tick would
        // have put it back).
        File.Delete(PromPath);
        await Task.Delay(500);
        Assert.False(File.Exists(PromPath), "metrics.prom was rewritten although no counter changed");
        metrics.Increment("frames_sent", 2);
        await Eventually.UntilAsync(() => File.Exists(PromPath), "the next change to be written", TimeSpan.FromSeconds(10));
        Assert.Contains("p2pnode_frames_sent_total 3", File.ReadAllText(PromPath));
        Assert.False(File.Exists(PromPath + ".tmp"));
    }

    [Fact]
    public async Task StoppingWritesWhatTheLastTickMissed()
    {
        var metrics = new NodeMetrics();
        var writer = new MetricsFileWriter(metrics, PromPath, TimeSpan.FromHours(1));
        metrics.Increment("dial_failed");
        Assert.False(File.Exists(PromPath));
        await writer.DisposeAsync();
        Assert.Contains("p2pnode_dial_failed_total 1", File.ReadAllText(PromPath));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
