using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace P2PNode.Tests;

/// <summary>
/// A real process under test — usually the built p2pnode (<c>dotnet src/P2PNode/bin/&lt;Configuration&gt;/net10.0/p2pnode.dll</c>,
/// same configuration as this test assembly), or any executable (e.g. a Python peer) via
/// <see cref="StartExecutable"/>. Stdout and stderr are read line by line by two async pumps from the
/// start, so the child never blocks on a full pipe; tests wait for a line matching a predicate with a
/// timeout. Dispose kills the whole process tree.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan DefaultRunTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<(NodeStream Stream, string Line)> _lines = [];
    private readonly Task _pumps;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _streamsAtEnd; // under _gate; 2 = both pumps have read everything
    private bool _disposed;

    private NodeProcess(Process process)
    {
        _process = process;
        _pumps = Task.WhenAll(Pump(process.StandardOutput, NodeStream.Stdout), Pump(process.StandardError, NodeStream.Stderr));
    }

    /// <summary>The repository root (the folder above the test binaries holding P2PNode.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Build configuration of this test assembly (Debug or Release); p2pnode is taken from the same one.</summary>
    public static string Configuration { get; } =
        typeof(NodeProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>src/P2PNode/bin/&lt;Configuration&gt;/net10.0/p2pnode.dll under the repository root.</summary>
    public static string P2PNodeDll { get; } = Path.Combine(RepoRoot, "src", "P2PNode", "bin", Configuration, "net10.0", "p2pnode.dll");

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> StdoutLines => Snapshot(NodeStream.Stdout);
    public IReadOnlyList<string> StderrLines => Snapshot(NodeStream.Stderr);

    /// <summary>p2pnode's log lines so far: logs are on stderr, machine-readable output on stdout (docs/runtime.md).</summary>
    public IReadOnlyList<string> LogLines => StderrLines;

    /// <summary>Everything captured so far, both streams interleaved in arrival order (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_gate) return string.Join('\n', _lines.Select(l => (l.Stream == NodeStream.Stdout ? "out| " : "err| ") + l.Line));
        }
    }

    /// <summary>Starts <c>dotnet p2pnode.dll args...</c>.</summary>
    public static NodeProcess Start(IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (!File.Exists(P2PNodeDll))
            throw new FileNotFoundException($"{P2PNodeDll} is missing; build it first (dotnet build src/P2PNode -c {Configuration})");
        return StartExecutable(DotnetHost(), [P2PNodeDll, .. args], workingDirectory, environment);
    }

    /// <summary>Starts any executable with the same capture and cleanup (environment values of null remove a variable).</summary>
    public static NodeProcess StartExecutable(string fileName, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        return new NodeProcess(process);
    }

    /// <summary>Runs p2pnode to completion and returns its exit code and output; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<NodeResult> RunAsync(IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var p = Start(args, workingDirectory, environment);
        var code = await p.WaitForExitAsync(timeout ?? DefaultRunTimeout);
        return new NodeResult(code, p.StdoutLines, p.StderrLines);
    }

    /// <summary>
    /// Returns the first line (already printed or still to come) on <paramref name="stream"/> that matches.
    /// Throws <see cref="TimeoutException"/> after <paramref name="timeout"/>, or <see cref="InvalidOperationException"/>
    /// as soon as the process has exited without printing one; both messages include all output captured.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, NodeStream stream = NodeStream.Stdout,
        CancellationToken cancellationToken = default)
    {
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        var scanned = 0;
        while (true)
        {
            Task changed;
            bool finished;
            lock (_gate)
            {
                for (; scanned < _lines.Count; scanned++)
                {
                    if (_lines[scanned].Stream == stream && predicate(_lines[scanned].Line)) return _lines[scanned].Line;
                }
                changed = _changed.Task;
                finished = _streamsAtEnd == 2;
            }
            if (finished)
            {
                // Both pipes are at end of file; the exit itself is usually a moment behind.
                try { await _process.WaitForExitAsync(timeoutCts.Token).WaitAsync(TimeSpan.FromSeconds(5), timeoutCts.Token); }
                catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }
                var how = _process.HasExited ? $"exited (code {ExitCodeOrNull()})" : "closed its output";
                throw new InvalidOperationException($"process {Id} {how} without printing a matching line on {stream}:\n{Output}");
            }
            try
            {
                await changed.WaitAsync(timeoutCts.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no matching line on {stream} from process {Id} within {timeout.TotalSeconds:0.#} s:\n{Output}");
            }
        }
    }

    /// <summary><see cref="WaitForLineAsync"/> on the log (stderr): for log wording, which never reaches stdout.</summary>
    public Task<string> WaitForLogAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForLineAsync(predicate, timeout, NodeStream.Stderr, cancellationToken);

    /// <summary>Waits for exit and for both output streams to be fully read; throws <see cref="TimeoutException"/> (without killing).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            await _pumps.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"process {Id} still running after {timeout.TotalSeconds:0.#} s:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>Writes one line to the process's stdin (e.g. an interactive answer).</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Kills the process and all its descendants (no-op if it already exited).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        Kill();
        try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); } catch (TimeoutException) { }
        try { await _pumps.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        _process.Dispose();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Kill();
        _process.WaitForExit(TimeSpan.FromSeconds(10));
        _pumps.Wait(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }

    private async Task Pump(StreamReader reader, NodeStream stream)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_gate)
                {
                    _lines.Add((stream, line));
                    Signal();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process; everything read so far is kept.
        }
        finally
        {
            lock (_gate)
            {
                _streamsAtEnd++;
                Signal();
            }
        }
    }

    // Wakes every waiter; they rescan from where they stopped.
    private void Signal()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    private List<string> Snapshot(NodeStream stream)
    {
        lock (_gate) return _lines.Where(l => l.Stream == stream).Select(l => l.Line).ToList();
    }

    private string ExitCodeOrNull()
    {
        try { return _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        catch (InvalidOperationException) { return "unknown"; }
    }

    // The dotnet host that runs this test, so child processes use the same runtime.
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "P2PNode.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no P2PNode.sln above {AppContext.BaseDirectory}");
    }
}
