using static P2PNode.Tests.Defence.DefenceNode;

namespace P2PNode.Tests.Defence;

/// <summary>
/// Peer scoring on a real `p2pnode run` with the default [scoring]: an independent (Python) peer that sends forged
/// gossip is graylisted (its further gossip ignored unverified); when it then sends malformed frames it is banned
/// (Disconnect Banned) and refused on reconnect with the same identity, all logged and counted in metrics.prom,
/// while an honest node keeps exchanging gossip with it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PeerScoringTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Forged_then_malformed_gossip_gets_a_peer_graylisted_banned_and_refused_while_an_honest_peer_keeps_delivering()
    {
        await using var node = await InitAsync();
        await using var honest = await InitAsync();
        await node.StartAsync();
        await honest.StartAsync(node.Contact);
        await node.Process.WaitForLineAsync(l => l.Contains($"inbound session with {honest.PeerId}"), Wait);
        var seed = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        // Two forgeries: the first costs 50 points (graylisted at -40), the second is dropped unverified.
        var first = await node.RunPythonAsync("defence_peer.py", "--seed", seed, "--forged", "2", "--wait", "2");
        Assert.Equal(1, first.GetProperty("first").GetInt32()); // admitted: got Hello
        var bad = first.GetProperty("my_peer_id").GetString()!;
        await node.WaitForCounterAsync("peers_graylisted", 1);
        await node.WaitForCounterAsync("messages_ignored_filtered", 1);
        await node.Process.WaitForLineAsync(l => l.Contains($"graylisted {bad} after BadSignature"), Wait);
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
        await node.Process.WaitForLineAsync(l => l.Contains($"banned {bad} until "), Wait);

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
        Assert.DoesNotContain(node.Process.StdoutLines, l => l.Contains("refused " + honest.PeerId) || l.Contains("graylisted " + honest.PeerId));
    }
}
