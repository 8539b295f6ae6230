using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace P2PNode.Tests.Nat;

/// <summary>
/// A p2pnode process inside a network namespace (`ip netns exec NS dotnet p2pnode.dll ...`), with its stdout
/// lines (machine-readable output) and stderr lines (logs) readable as they come and its stdin kept open until
/// the test closes it. Disposing kills it.
/// </summary>
internal sealed class NetnsProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _logLines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    private NetnsProcess(Process process) => _process = process;

    public static NetnsProcess Start(string netns, string p2pnodeDll, params string[] args)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "netns", "exec", netns, "dotnet", p2pnodeDll }.Concat(args)) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var p = new NetnsProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { p._lines.Writer.TryComplete(); return; }
            lock (p._stdout) p._stdout.AppendLine(e.Data);
            p._lines.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { p._logLines.Writer.TryComplete(); return; }
            lock (p._stderr) p._stderr.AppendLine(e.Data);
            p._logLines.Writer.TryWrite(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        p.Description = $"[{netns}] p2pnode {string.Join(' ', args)}";
        return p;
    }

    public string Description { get; private set; } = "";

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    /// <summary>The next stdout line matching <paramref name="match"/> (others are skipped), or a failure naming what was seen.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout) => NextMatchAsync(_lines, "stdout", match, timeout);

    /// <summary>The next log line (stderr) matching <paramref name="match"/>: p2pnode logs never reach stdout.</summary>
    public Task<string> WaitForLogAsync(Func<string, bool> match, TimeSpan timeout) => NextMatchAsync(_logLines, "stderr", match, timeout);

    private async Task<string> NextMatchAsync(Channel<string> lines, string stream, Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await lines.Reader.WaitToReadAsync(cts.Token))
            {
                while (lines.Reader.TryRead(out var line))
                    if (match(line)) return line;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Description}: no matching line on {stream} within {timeout.TotalSeconds} s\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        throw new InvalidOperationException($"{Description}: exited (code {ExitCodeOrNull()}) without a matching line on {stream}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    /// <summary>Writes one control line to the process's stdin (e.g. `p2pnode run`'s "publish" and "view").</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes stdin: p2pnode's long-running nat verbs take that as "shut down cleanly".</summary>
    public void CloseStdin() => _process.StandardInput.Close();

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Description}: still running after {timeout.TotalSeconds} s\nstderr:\n{Stderr}");
        }
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM (`ip netns exec` execs the program, so the pid is p2pnode's own): a graceful shutdown.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Kills the process without letting it clean up (what a crash or power cut does).</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    /// <summary>Runs a short command to completion: exit code, stdout and stderr.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string netns, string p2pnodeDll, TimeSpan timeout, params string[] args)
    {
        using var p = Start(netns, p2pnodeDll, args);
        p.CloseStdin();
        var code = await p.WaitForExitAsync(timeout);
        p._process.WaitForExit(); // drains the asynchronous stdout/stderr readers
        return (code, p.Stdout, p.Stderr);
    }

    private int? ExitCodeOrNull() => _process.HasExited ? _process.ExitCode : null;

    public void Dispose()
    {
        try { Kill(); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
