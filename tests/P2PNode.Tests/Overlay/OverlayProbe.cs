using System.Diagnostics;
using System.Globalization;
using P2PNode.Tests.Transport;

namespace P2PNode.Tests.Overlay;

/// <summary>
/// Talks to a running `p2pnode run` through its stdin control lines and stdout ("view", "publish",
/// "delivered"), with every wait bounded by one deadline shared by the whole test.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class OverlayProbe(TimeSpan budget)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _tag;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Time left of the test's budget (at least one second, so a last wait still gets a chance to see output).</summary>
    public TimeSpan Left => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, (budget - _clock.Elapsed).Ticks));

    /// <summary>The node's active view, asked through the "view" control line.</summary>
    public async Task<IReadOnlyList<string>> ActiveViewAsync(NodeProcess node)
    {
        var tag = "t" + Interlocked.Increment(ref _tag).ToString(CultureInfo.InvariantCulture);
        await node.WriteLineAsync("view " + tag);
        var line = await node.WaitForLineAsync(l => l.StartsWith($"view {tag} ", StringComparison.Ordinal), Left);
        // "view <tag> active <n> passive <m> <id,id,...>"
        var parts = line.Split(' ');
        var count = int.Parse(parts[3], CultureInfo.InvariantCulture);
        var ids = parts.Length > 6 && parts[6].Length > 0 ? parts[6].Split(',') : [];
        Assert.Equal(count, ids.Length);
        return ids;
    }

    /// <summary>The node's learned external IP ("unknown" until a majority of peers agree), via the "address" control line.</summary>
    public async Task<string> ExternalIpAsync(NodeProcess node)
    {
        var tag = "a" + Interlocked.Increment(ref _tag).ToString(CultureInfo.InvariantCulture);
        await node.WriteLineAsync("address " + tag);
        var line = await node.WaitForLineAsync(l => l.StartsWith($"address {tag} ", StringComparison.Ordinal), Left);
        return line.Split(' ')[2]; // "address <tag> <ip|unknown> <agreeing>/<voters>"
    }

    /// <summary>Polls every node's view until <paramref name="ok"/> holds for all of them.</summary>
    public Task WaitForViewsAsync(IReadOnlyList<NodeProcess> nodes, Func<IReadOnlyList<string>, bool> ok, string what)
    {
        List<IReadOnlyList<string>> views = [];
        return Eventually.UntilAsync(async () =>
        {
            views = [];
            foreach (var n in nodes) views.Add(await ActiveViewAsync(n));
            return views.All(ok);
        }, what, Left - TimeSpan.FromSeconds(1),
            () => $"views: {string.Join(" | ", views.Select(v => v.Count + ":" + string.Join(",", v.Select(id => id[..12]))))}\n"
                + string.Join("\n----\n", nodes.Select(n => string.Join('\n', n.Output.Split('\n').Where(l => !l.Contains("out| view ")).TakeLast(60)))),
            TimeSpan.FromMilliseconds(250));
    }

    /// <summary>Publishes text from <paramref name="node"/> and returns the message id it printed.</summary>
    public async Task<string> PublishAsync(RunningNode node, string text)
    {
        await node.Process.WriteLineAsync("publish " + text);
        var line = await node.Process.WaitForLineAsync(l => l.StartsWith("published ", StringComparison.Ordinal) && !_published.Contains(l), Left);
        _published.Add(line);
        return line["published ".Length..];
    }

    private readonly HashSet<string> _published = [];

    /// <summary>Waits until every node printed "delivered &lt;id&gt; ... &lt;text&gt;"; returns the hop counts.</summary>
    public async Task<IReadOnlyList<int>> WaitForDeliveryAsync(IEnumerable<RunningNode> nodes, string id, string text)
    {
        var lines = await Task.WhenAll(nodes.Select(n => n.Process.WaitForLineAsync(
            l => l.StartsWith($"delivered {id} from ", StringComparison.Ordinal) && l.EndsWith(" " + text, StringComparison.Ordinal), Left)));
        return lines.Select(l => int.Parse(l.Split(' ')[5], CultureInfo.InvariantCulture)).ToList();
    }
}
