using System.Text.Json;
using P2PNode.Metrics;
using P2PNode.Tests.Cli;

namespace P2PNode.Tests.Transport;

/// <summary>
/// A real `p2pnode run` process on 127.0.0.1 with its own identity and data folder, started from a node.toml
/// written by `p2pnode init` (with a shorter handshake timeout so hostile tests run fast). Exposes its peer id,
/// address, counters (from metrics.prom) and log.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RunningNode : IAsyncLifetime, IAsyncDisposable
{
    private readonly TempFolder _dir = new();
    private NodeProcess? _process;

    public string PeerId { get; private set; } = "";
    public string Address { get; private set; } = "";
    public string Host => Address[..Address.LastIndexOf(':')];
    public int Port => int.Parse(Address[(Address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    public NodeProcess Process => _process ?? throw new InvalidOperationException("not started");
    public string DataDir => _dir.Path;

    /// <summary>Extra `key = value` lines for [network], e.g. "max_inbound = 300".</summary>
    public Dictionary<string, string> Network { get; } = new()
    {
        // Shorter than the default so the silent-peer tests are quick, but long enough that an honest peer
        // started as a fresh process (JIT, a loaded 2-core CI machine) still finishes its handshake: with 2 s,
        // a stall could make the node drop `p2pnode ping` or an overlay neighbour mid-handshake.
        ["handshake_timeout_ms"] = "5000",
    };

    /// <summary>Optional "peerid@host:port" the node dials at start (--bootstrap).</summary>
    public string? Bootstrap { get; set; }

    public async Task InitializeAsync()
    {
        var init = await NodeProcess.RunAsync(["init", "--dir", _dir.Path]);
        Assert.True(init.ExitCode == 0, init.ToString());
        var config = _dir["node.toml"];
        var lines = File.ReadAllLines(config).ToList();
        foreach (var (key, value) in Network)
        {
            var i = lines.FindIndex(l => l.StartsWith(key + " ", StringComparison.Ordinal));
            Assert.True(i >= 0, $"node.toml has no {key}");
            lines[i] = $"{key} = {value}";
        }
        File.WriteAllLines(config, lines);
        string[] args = ["run", "--config", config, "--listen", "127.0.0.1:0"];
        _process = NodeProcess.Start(Bootstrap is null ? args : [.. args, "--bootstrap", Bootstrap]);
        var line = await _process.WaitForLineAsync(l => l.StartsWith("node ", StringComparison.Ordinal) && l.Contains(" listening on "), TimeSpan.FromSeconds(30));
        var parts = line.Split(' ');
        PeerId = parts[1];
        Address = parts[^1];
    }

    public async Task DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        _dir.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public IReadOnlyDictionary<string, long> Counters()
    {
        var path = Path.Combine(_dir.Path, "metrics.prom");
        if (!File.Exists(path)) return new Dictionary<string, long>();
        return NodeMetrics.ParsePrometheusText(File.ReadAllText(path));
    }

    public long Counter(string name) => Counters().GetValueOrDefault(name);

    /// <summary>Waits until the counter reaches at least <paramref name="atLeast"/> (the file is rewritten every second).</summary>
    public Task WaitForCounterAsync(string name, long atLeast, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(() => Counter(name) >= atLeast, $"counter {name} to reach {atLeast}", timeout ?? TimeSpan.FromSeconds(45),
            () => $"counters: {string.Join(", ", Counters().Select(kv => $"{kv.Key}={kv.Value}"))}\n{Process.Output}", TimeSpan.FromMilliseconds(100));

    /// <summary>Runs the independent Python peer (tests/interop/peer_client.py) against this node.</summary>
    public async Task<JsonElement> RunPythonPeerAsync(params string[] extra)
    {
        var script = Path.Combine(NodeProcess.RepoRoot, "tests", "interop", "peer_client.py");
        await using var p = NodeProcess.StartExecutable("/usr/bin/python3", [script, Address, .. extra]);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"peer_client.py exited {code}:\n{p.Output}");
        var json = p.StdoutLines.LastOrDefault(l => l.StartsWith('{')) ?? throw new Xunit.Sdk.XunitException($"no JSON from peer_client.py:\n{p.Output}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>`p2pnode ping` against this node, pinning its id: proves the node still serves honest peers.</summary>
    public async Task AssertHealthyAsync()
    {
        var ping = await NodeProcess.RunAsync(["ping", Address, "--peer", PeerId, "--count", "2"]);
        Assert.True(ping.ExitCode == 0, $"node no longer answers a normal ping: {ping}\n{Process.Output}");
        Assert.Contains(ping.Stdout, l => l.StartsWith($"connected to {PeerId}", StringComparison.Ordinal));
        Assert.False(Process.HasExited, "node process died");
    }
}
