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
        await node.Process.WaitForLineAsync(l => l.Contains("inbound session with " + pythonId), TimeSpan.FromSeconds(30));
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
