using P2PNode.Tests.Cli;
using P2PNode.Tests.Transport;

namespace P2PNode.Tests.Overlay;

/// <summary>
/// A node that once joined through a bootstrap peer is killed (SIGKILL) and restarted with no bootstrap peer
/// at all: it rejoins the overlay through the peer it remembers in data_dir/peers.db.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PeerStoreRestartTests
{
    // The machine-readable line, not the log line that says the same after a timestamp.
    private static bool IsListeningLine(string l) => l.StartsWith("node ", StringComparison.Ordinal) && l.Contains(" listening on ", StringComparison.Ordinal);

    [Fact]
    public async Task A_restarted_node_without_bootstrap_peers_rejoins_from_its_peer_store()
    {
        var probe = new OverlayProbe(TimeSpan.FromSeconds(150)); // an upper bound: about 15 s on a loaded machine
        await using var a = new RunningNode();
        await a.InitializeAsync();
        using var dir = new TempFolder();
        var init = await NodeProcess.RunAsync(["init", "--dir", dir.Path]);
        Assert.True(init.ExitCode == 0, init.ToString());
        string[] run = ["run", "--config", dir["node.toml"], "--listen", "127.0.0.1:0"];

        await using (var first = NodeProcess.Start([.. run, "--bootstrap", $"{a.PeerId}@{a.Address}"]))
        {
            await first.WaitForLineAsync(IsListeningLine, probe.Left);
            await probe.WaitForViewsAsync([first], v => v.Contains(a.PeerId), "the first run to join through its bootstrap peer");
            first.Kill(); // SIGKILL: whatever the store holds must already be on disk
            await first.WaitForExitAsync(probe.Left);
        }
        Assert.True(File.Exists(Path.Combine(dir.Path, "peers.db")), "no peer store written");

        await using var second = NodeProcess.Start(run); // node.toml has bootstrap = []
        var listening = await second.WaitForLineAsync(IsListeningLine, probe.Left);
        var self = listening.Split(' ')[1];
        await second.WaitForLogAsync(l => l.Contains("joining through 0 configured and 1 remembered peer(s)"), probe.Left);
        await probe.WaitForViewsAsync([second], v => v.Contains(a.PeerId), "the restarted node to rejoin through the remembered peer");
        await probe.WaitForViewsAsync([a.Process], v => v.Contains(self), "the remembered peer to take the restarted node back");
    }
}
