namespace P2PNode.Tests.Transport;

/// <summary>
/// docs/protocol.md is precise enough to build a peer from: tests/interop/peer_client.py, written only from it
/// with Debian's noiseprotocol/msgpack/nacl, handshakes with a real p2pnode process, exchanges Hello and Pings.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PythonPeerInteropTests(RunningNode node) : IClassFixture<RunningNode>
{
    [Fact]
    public async Task IndependentPythonPeerCompletesHandshakeHelloAndPing()
    {
        var result = await node.RunPythonPeerAsync("--expect-peer", node.PeerId, "--pings", "3");
        Assert.Equal(node.PeerId, result.GetProperty("remote_peer_id").GetString());
        var hello = result.GetProperty("remote_hello");
        Assert.Equal(1, hello.GetProperty("version")[0].GetInt32());
        Assert.Equal(node.PeerId, hello.GetProperty("peer_id").GetString());
        Assert.StartsWith("p2pnode/", hello.GetProperty("agent").GetString());
        Assert.Equal(node.Address, hello.GetProperty("listen")[0].GetString());
        Assert.StartsWith("127.0.0.1:", hello.GetProperty("observed").GetString());
        Assert.True(result.GetProperty("pong_ok").GetBoolean(), result.ToString());
        Assert.Equal(3, result.GetProperty("rtt_ms").GetArrayLength());
        // The node saw the Python peer's own Hello and proven identity.
        var pythonId = result.GetProperty("my_peer_id").GetString()!;
        await node.Process.WaitForLogAsync(l => l.Contains("inbound session with " + pythonId), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AHelloNamingThePeerIdInUpperCaseIsAccepted()
    {
        // docs/protocol.md 1: a parser accepts either case, and the Hello check compares ids, not text.
        var result = await node.RunPythonPeerAsync("--mode", "upper-case-id", "--expect-peer", node.PeerId);
        Assert.Equal(1, result.GetProperty("first").GetInt32());
        Assert.True(result.GetProperty("pong_ok").GetBoolean(), result.ToString());
        var id = result.GetProperty("my_peer_id").GetString()!;
        await node.Process.WaitForLogAsync(l => l.Contains("inbound session with " + id), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ASecondInboundSessionOfOneIdentityClosesTheOlderOneWithDuplicateConnection()
    {
        // docs/protocol.md 3.5: both sessions dialled by the same side, so the older gets reason 9, the newer stays.
        var result = await node.RunPythonPeerAsync("--mode", "duplicate");
        Assert.Equal(1, result.GetProperty("second_first").GetInt32());
        var first = result.GetProperty("first_session").GetProperty("disconnect");
        Assert.Equal(9, first.GetProperty("reason").GetInt32());
        Assert.Equal("duplicate connection", first.GetProperty("message").GetString());
        Assert.True(result.GetProperty("second_pong_ok").GetBoolean(), result.ToString());
    }

    [Fact]
    public async Task ASessionOutsideTheOverlayViewsIsClosedAfterAboutFiveSeconds()
    {
        // docs/protocol.md 3.5: StrayConnectionGrace (5 s), Detach then Disconnect(Normal, "overlay: not a neighbour"),
        // long before the 60 s idle timeout.
        var result = await node.RunPythonPeerAsync("--mode", "stray");
        var disconnect = result.GetProperty("disconnect");
        Assert.Equal(0, disconnect.GetProperty("reason").GetInt32());
        Assert.Equal("overlay: not a neighbour", disconnect.GetProperty("message").GetString());
        Assert.Contains(20, result.GetProperty("types").EnumerateArray().Select(t => t.GetInt32())); // Detach
        Assert.InRange(result.GetProperty("seconds").GetDouble(), 4.0, 15.0);
    }

    [Fact]
    public async Task PythonPeerDetectsAWrongPinnedIdentity()
    {
        var script = Path.Combine(NodeProcess.RepoRoot, "tests", "interop", "peer_client.py");
        var other = "p2p1" + new string('a', 57) + "a";
        await using var p = NodeProcess.StartExecutable("/usr/bin/python3", [script, node.Address, "--expect-peer", other]);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, code);
        Assert.Contains("identity mismatch", p.Output);
    }
}
