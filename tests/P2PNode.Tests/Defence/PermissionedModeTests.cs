using P2PNode.Identity;
using P2PNode.Node;
using static P2PNode.Tests.Defence.DefenceNode;

namespace P2PNode.Tests.Defence;

/// <summary>
/// [permission] mode = "allowlist" on a real `p2pnode run`: strangers are refused right after the handshake with
/// Disconnect(NotAllowed) and a reason (logged, counted); a listed peer and a peer holding a membership
/// certificate of the federation key join and exchange gossip.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PermissionedModeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Allowlist_refuses_strangers_and_admits_a_listed_peer_and_a_certified_member()
    {
        using var federation = NodeIdentity.Generate();
        await using var gate = await InitAsync();
        await using var listed = await InitAsync();
        await using var member = await InitAsync();
        await using var stranger = await InitAsync();
        gate.Set("permission", "mode", Toml("allowlist"));
        gate.Set("permission", "peers", TomlArray(listed.PeerId));
        gate.Set("permission", "federation_key", Toml(federation.PeerId.ToString()));
        var certificate = AllowlistCertificate.Issue(federation, PeerId.Parse(member.PeerId), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(member.Dir, "member.cert"), "# membership certificate\n" + Convert.ToBase64String(certificate.ToBytes()) + "\n");
        member.Set("permission", "certificate_file", Toml("member.cert"));
        await gate.StartAsync();
        await gate.Process.WaitForLogAsync(l => l.Contains("permissioned mode: 1 listed peer(s), members certified by " + federation.PeerId), Wait);

        // An independent (Python) stranger: told NotAllowed, with the reason.
        var seed = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var refused = await gate.RunPythonAsync("defence_peer.py", "--seed", seed);
        var disconnect = refused.GetProperty("disconnect");
        Assert.Equal(8, disconnect.GetProperty("reason").GetInt32()); // NotAllowed
        Assert.Contains("is not on this federation's allowlist and presents no membership certificate", disconnect.GetProperty("message").GetString());
        await gate.WaitForCounterAsync("allowlist_refused_not_listed", 1);
        await gate.WaitForCounterAsync("session_refused_not_allowed", 1);
        await gate.Process.WaitForLogAsync(l => l.Contains("refused " + refused.GetProperty("my_peer_id").GetString()) && l.Contains("NotAllowed"), Wait);

        // A real node that is neither listed nor certified: its joins end in NotAllowed, it never gets a session.
        await stranger.StartAsync(gate.Contact);
        await stranger.Process.WaitForLogAsync(l => l.Contains("NotAllowed") && l.Contains("not on this federation's allowlist"), Wait);

        await listed.StartAsync(gate.Contact);
        await member.StartAsync(gate.Contact);
        await gate.Process.WaitForLogAsync(l => l.Contains($"inbound session with {listed.PeerId}"), Wait);
        await gate.Process.WaitForLogAsync(l => l.Contains($"inbound session with {member.PeerId}"), Wait);

        var fromMember = await member.PublishAsync("from-the-certified-member", Wait);
        await gate.WaitForDeliveryAsync(fromMember, member.PeerId, Wait);
        await listed.WaitForDeliveryAsync(fromMember, member.PeerId, Wait);
        var fromGate = await gate.PublishAsync("from-the-gate", Wait);
        await listed.WaitForDeliveryAsync(fromGate, gate.PeerId, Wait);
        await member.WaitForDeliveryAsync(fromGate, gate.PeerId, Wait);

        Assert.DoesNotContain(gate.Process.LogLines, l => l.Contains("refused " + listed.PeerId) || l.Contains("refused " + member.PeerId));
        Assert.DoesNotContain(gate.Process.LogLines, l => l.Contains($"inbound session with {stranger.PeerId}"));
    }

    [Fact]
    public async Task A_certificate_file_without_this_nodes_certificate_or_with_a_bad_line_stops_the_node_with_exit_code_2()
    {
        using var federation = NodeIdentity.Generate();
        using var other = NodeIdentity.Generate();
        await using var node = await InitAsync();
        var certificate = AllowlistCertificate.Issue(federation, other.PeerId, DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(node.Dir, "member.cert"), Convert.ToBase64String(certificate.ToBytes()) + "\n");
        node.Set("permission", "certificate_file", Toml("member.cert"));
        var run = await NodeProcess.RunAsync(["run", "--config", node.ConfigPath, "--listen", "127.0.0.1:0"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(run.Stderr, l => l.Contains("member.cert: holds no membership certificate for this node (" + node.PeerId + ")"));

        File.WriteAllText(Path.Combine(node.Dir, "member.cert"), "# ok so far\n" + Convert.ToBase64String(certificate.ToBytes()) + "\nAAAA\n");
        run = await NodeProcess.RunAsync(["run", "--config", node.ConfigPath, "--listen", "127.0.0.1:0"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(run.Stderr, l => l.Contains("member.cert:3: not a membership certificate: a membership certificate is 104 bytes, got 3"));
    }

    [Fact]
    public async Task A_bad_line_in_the_peers_file_names_file_and_line()
    {
        await using var node = await InitAsync();
        File.WriteAllText(Path.Combine(node.Dir, "members.txt"), "# members\n\n" + node.PeerId + "\nnot-a-peer\n");
        node.Set("permission", "mode", Toml("allowlist"));
        node.Set("permission", "peers_file", Toml("members.txt"));
        var run = await NodeProcess.RunAsync(["run", "--config", node.ConfigPath, "--listen", "127.0.0.1:0"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(run.Stderr, l => l.Contains("members.txt:4: \"not-a-peer\": "));
    }
}
