using System.Globalization;
using System.Text.Json;
using P2PNode.Metrics;
using P2PNode.Tests.Cli;

namespace P2PNode.Tests.Defence;

/// <summary>
/// A `p2pnode run` process whose node.toml (written by `p2pnode init`) is edited section by section before it
/// starts, for the [scoring] and [permission] tests. Knows its peer id before starting (`p2pnode id`), so
/// other nodes' allowlists can name it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class DefenceNode : IAsyncDisposable
{
    private readonly TempFolder _dir = new();
    private NodeProcess? _process;

    private DefenceNode() { }

    public string PeerId { get; private set; } = "";
    public string Address { get; private set; } = "";
    public string Dir => _dir.Path;
    public string ConfigPath => _dir["node.toml"];
    public NodeProcess Process => _process ?? throw new InvalidOperationException("not started");
    public string Contact => $"{PeerId}@{Address}";

    public static async Task<DefenceNode> InitAsync()
    {
        var node = new DefenceNode();
        var init = await NodeProcess.RunAsync(["init", "--dir", node.Dir]);
        Assert.True(init.ExitCode == 0, init.ToString());
        var id = await NodeProcess.RunAsync(["id", "--dir", node.Dir]);
        Assert.True(id.ExitCode == 0, id.ToString());
        node.PeerId = id.Stdout.Single(l => l.StartsWith("p2p1", StringComparison.Ordinal));
        node.Set("network", "handshake_timeout_ms", "2000");
        return node;
    }

    /// <summary>Replaces `key = ...` inside [section] of node.toml (the key must be there: init writes every key).</summary>
    public void Set(string section, string key, string value)
    {
        var lines = File.ReadAllLines(ConfigPath).ToList();
        var start = lines.IndexOf($"[{section}]");
        Assert.True(start >= 0, $"node.toml has no [{section}]");
        var i = lines.FindIndex(start, l => l.StartsWith(key + " = ", StringComparison.Ordinal));
        var next = lines.FindIndex(start + 1, l => l.StartsWith('['));
        Assert.True(i > start && (next < 0 || i < next), $"node.toml has no {section}.{key}");
        lines[i] = $"{key} = {value}";
        File.WriteAllLines(ConfigPath, lines);
    }

    public async Task StartAsync(string? bootstrap = null)
    {
        string[] args = ["run", "--config", ConfigPath, "--listen", "127.0.0.1:0"];
        _process = NodeProcess.Start(bootstrap is null ? args : [.. args, "--bootstrap", bootstrap]);
        var line = await _process.WaitForLineAsync(l => l.StartsWith("node ", StringComparison.Ordinal) && l.Contains(" listening on "), TimeSpan.FromSeconds(30));
        Address = line.Split(' ')[^1];
    }

    public IReadOnlyDictionary<string, long> Counters()
    {
        var path = Path.Combine(Dir, "metrics.prom");
        return File.Exists(path) ? NodeMetrics.ParsePrometheusText(File.ReadAllText(path)) : new Dictionary<string, long>();
    }

    public long Counter(string name) => Counters().GetValueOrDefault(name);

    /// <summary>Waits until the counter reaches <paramref name="atLeast"/> (metrics.prom is rewritten every second).</summary>
    public Task WaitForCounterAsync(string name, long atLeast, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(() => Counter(name) >= atLeast, $"counter {name} to reach {atLeast}", timeout ?? TimeSpan.FromSeconds(15),
            () => $"counters: {string.Join(", ", Counters().Select(kv => $"{kv.Key}={kv.Value}"))}\n{Process.Output}", TimeSpan.FromMilliseconds(100));

    /// <summary>Runs a script of tests/interop against this node with /usr/bin/python3; returns its JSON line.</summary>
    public async Task<JsonElement> RunPythonAsync(string script, params string[] extra)
    {
        var path = Path.Combine(NodeProcess.RepoRoot, "tests", "interop", script);
        await using var p = NodeProcess.StartExecutable("/usr/bin/python3", [path, Address, .. extra]);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"{script} exited {code}:\n{p.Output}");
        var json = p.StdoutLines.LastOrDefault(l => l.StartsWith('{')) ?? throw new Xunit.Sdk.XunitException($"no JSON from {script}:\n{p.Output}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>Publishes through the stdin control line; returns the message id.</summary>
    public async Task<string> PublishAsync(string text, TimeSpan timeout)
    {
        await Process.WriteLineAsync("publish " + text);
        var line = await Process.WaitForLineAsync(l => l.StartsWith("delivered ", StringComparison.Ordinal) && l.EndsWith(" hops 0 " + text, StringComparison.Ordinal), timeout);
        return line.Split(' ')[1];
    }

    /// <summary>Waits for "delivered &lt;id&gt; from &lt;origin&gt; ..." of a message published elsewhere.</summary>
    public Task<string> WaitForDeliveryAsync(string id, string origin, TimeSpan timeout) =>
        Process.WaitForLineAsync(l => l.StartsWith($"delivered {id} from {origin} ", StringComparison.Ordinal), timeout);

    public static string Toml(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public static string TomlArray(params string[] items) => "[" + string.Join(", ", items.Select(Toml)) + "]";

    public static string Int(long n) => n.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        _dir.Dispose();
    }
}
