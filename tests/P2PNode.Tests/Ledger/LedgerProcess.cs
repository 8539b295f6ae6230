using System.Diagnostics;

namespace P2PNode.Tests.Ledger;

/// <summary>Runs real processes for the ledger tests: the p2pnode CLI (from this test's output folder) and
/// Debian's python3 for the independent verifier. Output is captured; every run has a deadline.</summary>
internal static class LedgerProcess
{
    public const string Python = "/usr/bin/python3";

    public static string P2PNodeDll => Path.Combine(AppContext.BaseDirectory, "p2pnode.dll");

    public static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }

    public static bool PythonHasNacl() =>
        File.Exists(Python) && Run(Python, ["-c", "import nacl.signing"], TimeSpan.FromSeconds(20)).Exit == 0;

    public static (int Exit, string Stdout, string Stderr) P2PNode(params string[] args) =>
        Run("dotnet", [P2PNodeDll, .. args], TimeSpan.FromSeconds(60));

    public static (int Exit, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
