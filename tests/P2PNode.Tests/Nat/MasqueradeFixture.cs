using System.Diagnostics;

namespace P2PNode.Tests.Nat;

/// <summary>
/// A plain masquerading NAT in fresh network namespaces (bootstrap/gateway-fixture.sh up-masq): the LAN host
/// 10.99.0.2 reaches the WAN (192.0.2.0/24) through 192.0.2.1, and nothing from the WAN can open a connection
/// to it (no port mapping, no route). Torn down when the test class is done. When the machine cannot run it
/// (not root, no `ip netns`), <see cref="SkipReason"/> says why.
/// </summary>
public sealed class MasqueradeFixture : IDisposable
{
    public const string LanAddress = "10.99.0.2";
    public const string ExternalAddress = "192.0.2.1";
    public const string WanAddress = "192.0.2.2";

    public MasqueradeFixture()
    {
        RepoRoot = FindRepoRoot();
        Script = Path.Combine(RepoRoot, "bootstrap", "gateway-fixture.sh");
        Prefix = "p2pm" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4]);
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        P2PNodeDll = Path.Combine(RepoRoot, "src", "P2PNode", "bin", configuration, "net10.0", "p2pnode.dll");
        var (checkCode, checkOut) = Run("check-masq");
        if (checkCode != 0)
        {
            SkipReason = $"masquerading gateway cannot run on this machine: {checkOut.Trim()}";
            return;
        }
        if (!File.Exists(P2PNodeDll))
        {
            UpError = $"{P2PNodeDll} does not exist: build src/P2PNode in the same configuration ({configuration}) as the tests";
            return;
        }
        var (upCode, upOut) = Run("up-masq", Prefix);
        if (upCode != 0) UpError = $"gateway-fixture.sh up-masq {Prefix} failed ({upCode}):\n{upOut}";
    }

    public string RepoRoot { get; }
    public string Script { get; }
    public string Prefix { get; }
    public string P2PNodeDll { get; }
    public string Lan => Prefix + "-lan";
    public string Wan => Prefix + "-wan";
    public string Gw => Prefix + "-gw";
    public string? SkipReason { get; }
    public string? UpError { get; }

    public string GatewayRules() => Exec("ip", "netns", "exec", Gw, "nft", "list", "ruleset").Output;

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
        if (SkipReason is null) Run("down", Prefix);
    }
}
