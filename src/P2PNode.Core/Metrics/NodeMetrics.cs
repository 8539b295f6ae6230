using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace P2PNode.Metrics;

/// <summary>
/// Named monotonically increasing counters (refused connections, malformed frames, bytes...). Every rejection
/// of bad input increments one, so operators and tests can see what happened without parsing logs. Written
/// out in the Prometheus text format, which node_exporter's textfile collector reads as is.
/// </summary>
public sealed class NodeMetrics
{
    private readonly ConcurrentDictionary<string, StrongBox> _counters = new(StringComparer.Ordinal);
    private long _version;

    public void Increment(string name, long by = 1)
    {
        Interlocked.Add(ref _counters.GetOrAdd(name, static _ => new StrongBox()).Value, by);
        Interlocked.Increment(ref _version);
    }

    public long Get(string name) => _counters.TryGetValue(name, out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>Changes whenever any counter changes; lets a writer skip rewriting an unchanged file.</summary>
    public long Version => Interlocked.Read(ref _version);

    public IReadOnlyDictionary<string, long> Snapshot() =>
        _counters.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => Interlocked.Read(ref kv.Value.Value));

    public string ToPrometheusText()
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in Snapshot())
            sb.Append("p2pnode_").Append(name).Append("_total ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Parses what <see cref="ToPrometheusText"/> wrote (used by tests and `p2pnode` tooling).</summary>
    public static IReadOnlyDictionary<string, long> ParsePrometheusText(string text)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length != 2 || !parts[0].StartsWith("p2pnode_", StringComparison.Ordinal) || !parts[0].EndsWith("_total", StringComparison.Ordinal)) continue;
            if (long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                result[parts[0]["p2pnode_".Length..^"_total".Length]] = v;
        }
        return result;
    }

    private sealed class StrongBox { public long Value; }
}
