using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace P2PNode.Cli.Swarm;

/// <summary>
/// One child `p2pnode` process of the swarm. Both streams go to the node's log file; stdout, the machine-readable
/// one, is also parsed: JSON lines (progress events) are queued for the swarm and "node ... listening on ..." gives
/// its address. Logs (stderr) are only written to the file. Killed on dispose if still running.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NodeProcess(string name, string logPath, IEnumerable<string> args)
    {
        Name = name;
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(NodeProcess).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Reproducible CPU math: the same inputs give the same model hash on every node (docs/training.md).
        psi.Environment["MKL_CBWR"] = "COMPATIBLE";
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, stdout: true);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, stdout: false);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public bool Exited => _process.HasExited;
    public ConcurrentQueue<JsonObject> Events { get; } = new();
    public List<string> Output { get; } = [];

    /// <summary>"&lt;peer id&gt;@&lt;address&gt;" once the node listens.</summary>
    public Task<string> Listening => _listening.Task;

    private void OnLine(string? line, bool stdout)
    {
        if (line is null) return;
        lock (_log) _log.WriteLine(line);
        if (!stdout) return;
        if (line.StartsWith('{'))
        {
            try { if (JsonNode.Parse(line) is JsonObject o) Events.Enqueue(o); }
            catch (System.Text.Json.JsonException) { }
            return;
        }
        lock (Output) Output.Add(line);
        // "node <peer id> listening on <addr>[,<addr>...]"
        var parts = line.Split(' ');
        if (parts is ["node", var id, "listening", "on", var addrs]) _listening.TrySetResult($"{id}@{addrs.Split(',')[0]}");
    }

    public void Terminate()
    {
        try { if (!_process.HasExited) Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit(); }
        catch (InvalidOperationException) { }
    }

    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { Kill(); await _process.WaitForExitAsync(); }
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
