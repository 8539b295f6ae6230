using System.Diagnostics;

namespace P2PNode.Training.Tests.Interop;

/// <summary>Runs tests/interop/lm_reference.py with Debian's python3 (NumPy from python3-numpy, as bootstrap/setup.sh installs).</summary>
internal static class PythonReference
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    private const string Python = "/usr/bin/python3";

    public const string SkipReason = Python + " cannot import numpy (install python3-numpy; bootstrap/setup.sh does)";

    private static readonly Lazy<bool> Numpy = new(() => File.Exists(Python) && Exec(["-c", "import numpy"]).ExitCode == 0);

    public static bool HasNumpy => Numpy.Value;

    private static readonly string Script = Path.Combine(FindRepoRoot(), "tests", "interop", "lm_reference.py");

    public static Result Run(string exportDir, long[] tokens) =>
        Exec([Script, exportDir, "--tokens", string.Join(',', tokens)]);

    private static Result Exec(string[] args)
    {
        var psi = new ProcessStartInfo(Python, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        // Both pipes at once: the logits JSON can exceed a pipe buffer while stderr is still open.
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill();
            throw new TimeoutException($"{Python} {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return new Result(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PNode.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no P2PNode.sln above {AppContext.BaseDirectory}");
    }
}
