using System.Diagnostics;

namespace P2PNode.Tests.Transport;

/// <summary>SIGTERM and SIGINT stop a node cleanly: its peers receive Disconnect(Shutdown) and it exits 0.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GracefulShutdownTests
{
    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task SignalSendsDisconnectToPeersAndExitsZero(string signal)
    {
        await using var a = new RunningNode();
        await a.InitializeAsync();
        await using var b = new RunningNode();
        b.Bootstrap = $"{a.PeerId}@{a.Address}";
        await b.InitializeAsync();
        await b.Process.WaitForLogAsync(l => l.Contains("ping " + a.PeerId[..12]), TimeSpan.FromSeconds(60));

        using (var kill = Process.Start("kill", ["-" + signal, a.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill!.WaitForExitAsync();
        Assert.Equal(0, await a.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await b.Process.WaitForLogAsync(l => l.Contains("ended (Shutdown): node shutting down"), TimeSpan.FromSeconds(30));
        Assert.Contains(a.Process.LogLines, l => l.Contains("shutdown requested"));
    }
}
