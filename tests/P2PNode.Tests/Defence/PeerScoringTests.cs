using static P2PNode.Tests.Defence.DefenceNode;

namespace P2PNode.Tests.Defence;

/// <summary>
/// Peer scoring on a real `p2pnode run` with the default [scoring], against an independent (Python) peer:
/// forged gossip graylists it; forging on while graylisted, or sending malformed frames, gets it banned
/// (Disconnect Banned) and refused on reconnect with the same identity, all logged and counted in metrics.prom,
/// while an honest node keeps exchanging gossip. A peer graylisted once whose later messages verify is not
/// banned and is heard again once its score has decayed.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PeerScoringTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static string Seed() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task Forged_then_malformed_gossip_gets_a_peer_graylisted_banned_and_refused_while_an_honest_peer_keeps_delivering()
    {
        await using var node = await InitAsync();
        await using var honest = await InitAsync();
        await node.StartAsync();
        await honest.StartAsync(node.Contact);
        await node.Process.WaitForLogAsync(l => l.Contains($"inbound session with {honest.PeerId}"), Wait);
        var seed = Seed();

        // One forgery costs 50 points: graylisted at -40.
        var first = await node.RunPythonAsync("defence_peer.py", "--seed", seed, "--forged", "1", "--wait", "2");
        Assert.Equal(1, first.GetProperty("first").GetInt32()); // admitted: got Hello
        var bad = first.GetProperty("my_peer_id").GetString()!;
        await node.WaitForCounterAsync("peers_graylisted", 1);
        await node.Process.WaitForLogAsync(l => l.Contains($"graylisted {bad} after BadSignature"), Wait);
        Assert.Equal(1, node.Counter("offence_forged_signature"));
        Assert.Equal(1, node.Counter("gossip_bad_signature"));

        // Same identity again, now malformed frames at -10 each: the sixth crosses -100 and the node bans it.
        var second = await node.RunPythonAsync("defence_peer.py", "--seed", seed, "--garbage", "8");
        Assert.Equal(1, second.GetProperty("first").GetInt32()); // graylisted peers are still admitted
        var banned = second.GetProperty("disconnect");
        Assert.Equal(7, banned.GetProperty("reason").GetInt32()); // Banned
        Assert.StartsWith("banned until ", banned.GetProperty("message").GetString());
        Assert.InRange(second.GetProperty("errors").GetInt32(), 1, 6);
        await node.WaitForCounterAsync("peers_banned", 1);
        await node.Process.WaitForLogAsync(l => l.Contains($"banned {bad} until "), Wait);

        // Reconnecting is refused before anything else, with the ban's end.
        var third = await node.RunPythonAsync("defence_peer.py", "--seed", seed, "--garbage", "3");
        Assert.Equal(4, third.GetProperty("first").GetInt32()); // Disconnect instead of Hello
        Assert.Equal(7, third.GetProperty("disconnect").GetProperty("reason").GetInt32());
        Assert.Equal(banned.GetProperty("message").GetString(), third.GetProperty("disconnect").GetProperty("message").GetString());
        await node.WaitForCounterAsync("session_refused_banned", 1);
        Assert.InRange(node.Counter("offence_invalid_message"), 6, 8);

        // The honest neighbour was never affected: gossip flows both ways.
        var fromHonest = await honest.PublishAsync("honest-after-the-ban", Wait);
        await node.WaitForDeliveryAsync(fromHonest, honest.PeerId, Wait);
        var fromNode = await node.PublishAsync("node-after-the-ban", Wait);
        await honest.WaitForDeliveryAsync(fromNode, node.PeerId, Wait);
        Assert.DoesNotContain(node.Process.LogLines, l => l.Contains("refused " + honest.PeerId) || l.Contains("graylisted " + honest.PeerId));
    }

    [Fact]
    public async Task Malformed_frames_alone_graylist_a_peer_with_the_log_line_and_the_counter()
    {
        // docs/overlay.md 9.1: entering the graylist is logged once and counted whatever the offence; five
        // malformed frames in quick succession cost -50 (the session layer closes only after eight).
        await using var node = await InitAsync();
        await node.StartAsync();
        var run = await node.RunPythonAsync("defence_peer.py", "--seed", Seed(), "--garbage", "5", "--wait", "2");
        var bad = run.GetProperty("my_peer_id").GetString()!;
        Assert.Equal(1, run.GetProperty("first").GetInt32());
        await node.WaitForCounterAsync("peers_graylisted", 1);
        await node.Process.WaitForLogAsync(l => l.Contains($"graylisted {bad} after a malformed frame (score -"), Wait);
        Assert.Equal(5, node.Counter("offence_invalid_message"));
        Assert.Equal(0, node.Counter("peers_banned"));
        Assert.Single(node.Process.LogLines, l => l.Contains($"graylisted {bad} "));
    }

    [Fact]
    public async Task A_peer_that_keeps_forging_while_graylisted_is_banned()
    {
        await using var node = await InitAsync();
        await node.StartAsync();
        var seed = Seed();

        // The first forgery is verified by the overlay (-50, graylisted); later ones are dropped unprocessed but
        // one a second is spot-checked (scoring.graylisted_check_interval_ms = 1000). The first check brings the
        // score to just above -100 (it decayed a little meanwhile), the second bans: within the same connection.
        var run = await node.RunPythonAsync("defence_peer.py", "--seed", seed, "--forged", "8", "--forged-every", "0.6", "--wait", "10");
        var bad = run.GetProperty("my_peer_id").GetString()!;
        Assert.Equal(1, run.GetProperty("first").GetInt32());
        Assert.True(run.TryGetProperty("disconnect", out var disconnect), run.ToString());
        Assert.Equal(7, disconnect.GetProperty("reason").GetInt32()); // Banned
        Assert.StartsWith("banned until ", disconnect.GetProperty("message").GetString());
        await node.WaitForCounterAsync("peers_banned", 1);
        await node.Process.WaitForLogAsync(l => l.Contains($"banned {bad} until "), Wait);
        await node.WaitForCounterAsync("graylisted_gossip_forged", 2);
        Assert.Equal(1, node.Counter("gossip_bad_signature")); // the overlay verified only the first
        Assert.Equal(2, node.Counter("graylisted_gossip_checked"));
        Assert.Equal(3, node.Counter("offence_forged_signature"));
        Assert.True(node.Counter("messages_ignored_filtered") >= 2);

        var again = await node.RunPythonAsync("defence_peer.py", "--seed", seed, "--forged", "1");
        Assert.Equal(4, again.GetProperty("first").GetInt32()); // refused at once
        Assert.True(again.GetProperty("disconnect").GetProperty("reason").GetInt32() == 7, again.ToString());
    }

    [Fact]
    public async Task A_graylisted_peer_whose_messages_verify_is_not_banned_and_is_heard_again_after_decay()
    {
        await using var node = await InitAsync();
        node.Set("scoring", "half_life_ms", Int(2000)); // -50 decays above -40 in 0.64 s
        await node.StartAsync();

        // A forgery (graylisted), then its own properly signed messages at once and 1.5 s and 3 s later.
        var run = await node.RunPythonAsync("defence_peer.py", "--seed", Seed(), "--forged", "1", "--valid", "3", "--valid-every", "1.5", "--wait", "1");
        var peer = run.GetProperty("my_peer_id").GetString()!;
        Assert.False(run.TryGetProperty("disconnect", out var d) && d.GetProperty("reason").GetInt32() == 7, run.ToString());

        // The first arrived while it was graylisted: dropped, spot-checked, found genuine. The later ones are delivered.
        await node.Process.WaitForLineAsync(l => l.StartsWith("delivered ", StringComparison.Ordinal) && l.Contains($" from {peer} ") && l.EndsWith(" valid 3", StringComparison.Ordinal), Wait);
        Assert.Contains(node.Process.StdoutLines, l => l.StartsWith("delivered ", StringComparison.Ordinal) && l.EndsWith(" valid 2", StringComparison.Ordinal));
        Assert.DoesNotContain(node.Process.StdoutLines, l => l.StartsWith("delivered ", StringComparison.Ordinal) && l.EndsWith(" valid 1", StringComparison.Ordinal));
        await node.WaitForCounterAsync("graylisted_gossip_checked", 1);
        Assert.Equal(0, node.Counter("graylisted_gossip_forged"));
        Assert.Equal(0, node.Counter("peers_banned"));
        Assert.Equal(1, node.Counter("offence_forged_signature"));
    }
}
