using System.Diagnostics;

namespace P2PNode.Tests.Nat;

/// <summary>
/// One miniupnpd gateway in fresh network namespaces for a test class (bootstrap/gateway-fixture.sh), under a
/// prefix unique to this run so parallel runs never meet; torn down when the class is done, whatever happened.
/// When the machine cannot run it (not root, no `ip netns`, no miniupnpd), <see cref="SkipReason"/> says why.
/// </summary>
public sealed class GatewayFixture : IDisposable
{
    public const string GatewayAddress = "10.99.0.1";
    public const string ExternalAddress = "192.0.2.1";
    public const string LanAddress = "10.99.0.2";
    public const string WanPeerAddress = "192.0.2.2";

    public GatewayFixture()
    {
        RepoRoot = FindRepoRoot();
        Script = Path.Combine(RepoRoot, "bootstrap", "gateway-fixture.sh");
        Prefix = "p2pt" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4]);
        // The test assembly lives in tests/P2PNode.Tests/bin/<Configuration>/net10.0/: use the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        P2PNodeDll = Path.Combine(RepoRoot, "src", "P2PNode", "bin", configuration, "net10.0", "p2pnode.dll");

        var (checkCode, checkOut) = Run("check");
        if (checkCode != 0)
        {
            SkipReason = $"gateway fixture cannot run on this machine: {checkOut.Trim()}";
            return;
        }
        if (!File.Exists(P2PNodeDll))
        {
            UpError = $"{P2PNodeDll} does not exist: build src/P2PNode in the same configuration ({configuration}) as the tests";
            return;
        }
        var (upCode, upOut) = Run("up", Prefix);
        if (upCode != 0) UpError = $"gateway-fixture.sh up {Prefix} failed ({upCode}):\n{upOut}";
    }

    public string RepoRoot { get; }

    public string Script { get; }

    public string Prefix { get; }

    public string P2PNodeDll { get; }

    public string Lan => Prefix + "-lan";

    public string Wan => Prefix + "-wan";

    public string Gw => Prefix + "-gw";

    /// <summary>Non-null when the capability is absent: tests skip with this message.</summary>
    public string? SkipReason { get; }

    /// <summary>Non-null when the capability is there but the gateway did not come up: tests fail with this.</summary>
    public string? UpError { get; }

    /// <summary>The gateway's nftables rules (where miniupnpd's port forwards live).</summary>
    public string GatewayRules() => Exec("ip", "netns", "exec", Gw, "nft", "list", "ruleset").Output;

    public string MiniupnpdLog()
    {
        var log = $"/tmp/p2pnode-gw-{Prefix}/miniupnpd.log";
        return File.Exists(log) ? File.ReadAllText(log) : "(no log)";
    }

    private (int Code, string Output) Run(params string[] args) => Exec("bash", [Script, .. args]);

    private static (int Code, string Output) Exec(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"{file} {string.Join(' ', args)} timed out");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PNode.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no P2PNode.sln above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        // Always, even if 'up' failed half-way (the script tears down after itself, but be sure).
        if (SkipReason is null) Run("down", Prefix);
    }
}
