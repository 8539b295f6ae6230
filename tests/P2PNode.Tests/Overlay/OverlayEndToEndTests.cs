using P2PNode.Tests.Transport;

namespace P2PNode.Tests.Overlay;

/// <summary>
/// Eight real `p2pnode run` processes on 127.0.0.1 form the gossip overlay: one broadcast reaches all eight;
/// two are killed with SIGKILL (no goodbye), the overlay repairs itself, and a second broadcast reaches the six
/// that are left.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Collection("many-processes")]
public sealed class OverlayEndToEndTests : IAsyncLifetime
{
    private readonly List<RunningNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var n in _nodes) await n.DisposeAsync();
    }

    // Started in waves (node 0; nodes 1-2; nodes 3-7) so eight processes start in about three start-up times;
    // every node bootstraps from one or two nodes of earlier waves.
    private async Task StartAsync()
    {
        int[][] bootstrapOf = [[], [0], [0], [1, 2], [0, 2], [1], [2, 0], [1, 2]];
        int[][] waves = [[0], [1, 2], [3, 4, 5, 6, 7]];
        var nodes = new RunningNode[bootstrapOf.Length];
        foreach (var wave in waves)
        {
            foreach (var i in wave)
            {
                nodes[i] = new RunningNode();
                if (bootstrapOf[i].Length > 0)
                    nodes[i].Bootstrap = string.Join(",", bootstrapOf[i].Select(b => $"{nodes[b].PeerId}@{nodes[b].Address}"));
            }
            _nodes.AddRange(wave.Select(i => nodes[i]));
            await Task.WhenAll(wave.Select(i => nodes[i].InitializeAsync()));
        }
        _nodes.Clear();
        _nodes.AddRange(nodes);
    }

    [Fact]
    public async Task OneBroadcastReachesAllEightAndTheSixLeftAfterTwoAreKilled()
    {
        // One upper bound for every wait of the test (about 30 s on a loaded 2-core machine); only a failure waits it out.
        var probe = new OverlayProbe(TimeSpan.FromSeconds(150));
        await StartAsync();
        await probe.WaitForViewsAsync(_nodes.Select(n => n.Process).ToList(), v => v.Count >= 2, "every node to have two overlay neighbours");

        // Address discovery: with two or more peers each, every node has learned from them where it connects from.
        foreach (var n in _nodes) Assert.Equal("127.0.0.1", await probe.ExternalIpAsync(n.Process));

        var first = await probe.PublishAsync(_nodes[3], "hello-eight");
        var hops = await probe.WaitForDeliveryAsync(_nodes, first, "hello-eight");
        Assert.Equal(0, hops[3]); // the origin's own delivery
        Assert.All(hops.Where((_, i) => i != 3), h => Assert.InRange(h, 1, 7));

        var killed = new[] { _nodes[0], _nodes[5] };
        foreach (var n in killed) n.Process.Kill(); // SIGKILL: no Disconnect, no Detach
        var left = _nodes.Except(killed).ToList();
        var dead = killed.Select(n => n.PeerId).ToHashSet();
        await probe.WaitForViewsAsync(left.Select(n => n.Process).ToList(), v => v.Count >= 1 && !v.Any(dead.Contains), "the six survivors to drop the killed nodes from their views");

        var second = await probe.PublishAsync(_nodes[6], "hello-six");
        await probe.WaitForDeliveryAsync(left, second, "hello-six");
        foreach (var n in killed) Assert.DoesNotContain(n.Process.StdoutLines, l => l.Contains(second, StringComparison.Ordinal));
        Assert.All(left, n => Assert.False(n.Process.HasExited, "a survivor died"));
    }
}
