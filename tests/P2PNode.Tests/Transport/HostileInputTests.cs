using System.Net;
using System.Net.Sockets;
using P2PNode.Noise;

namespace P2PNode.Tests.Transport;

/// <summary>
/// Bad input of every kind against one real listening p2pnode process: each case is refused or closed, logged
/// with its reason and counted (metrics.prom), and afterwards the node still completes a normal handshake and
/// ping with an honest peer.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostileInputTests(RunningNode node) : IClassFixture<RunningNode>
{
    // Upper bound on waits for a log line or a close that is due at once (or at the 5 s handshake timeout).
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<long> Before(string counter) { await Task.Delay(1100); return node.Counter(counter); }

    private async Task<TcpClient> ConnectAsync(IPAddress? from = null)
    {
        var tcp = from is null ? new TcpClient() : new TcpClient(new IPEndPoint(from, 0));
        await tcp.ConnectAsync(node.Host, node.Port);
        return tcp;
    }

    [Fact]
    public async Task RandomBytesInsteadOfAHandshake()
    {
        var before = await Before("handshake_failed");
        using (var tcp = await ConnectAsync())
        {
            var junk = new byte[1000];
            new Random(42).NextBytes(junk);
            var stream = tcp.GetStream();
            await stream.WriteAsync(junk);
            tcp.Client.Shutdown(SocketShutdown.Send);
            await DrainUntilClosedAsync(stream);
        }
        await node.WaitForCounterAsync("handshake_failed", before + 1);
        await node.Process.WaitForLogAsync(l => l.Contains("closed during handshake [handshake_failed]"), Patience);
        await node.AssertHealthyAsync();
    }

    [Fact]
    public async Task TruncatedHandshake()
    {
        var before = await Before("handshake_failed");
        using (var tcp = await ConnectAsync())
        using (var hs = new HandshakeState(HandshakePattern.XX, true, "p2pnode"u8, HandshakeState.GeneratePrivateKey()))
        {
            var s = tcp.GetStream();
            var buffer = new byte[65535];
            var n = hs.WriteMessage([], buffer.AsSpan(2));
            buffer[0] = (byte)(n >> 8); buffer[1] = (byte)n;
            await s.WriteAsync(buffer.AsMemory(0, n + 2));
            await s.ReadExactlyAsync(buffer.AsMemory(0, 2));
            await s.ReadExactlyAsync(buffer.AsMemory(0, (buffer[0] << 8) | buffer[1]));
            // message 3 announced as 100 bytes, only 10 sent, then the connection drops
            await s.WriteAsync(new byte[] { 0, 100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 });
        }
        await node.WaitForCounterAsync("handshake_failed", before + 1);
        await node.Process.WaitForLogAsync(l => l.Contains("connection closed inside a handshake message"), Patience);
        await node.AssertHealthyAsync();
    }

    [Fact]
    public async Task WrongIdentitySignature()
    {
        var before = await Before("bad_identity_proof");
        var result = await node.RunPythonPeerAsync("--mode", "bad-signature");
        Assert.True(result.TryGetProperty("closed", out _), result.ToString());
        await node.WaitForCounterAsync("bad_identity_proof", before + 1);
        await node.Process.WaitForLogAsync(l => l.Contains("identity signature does not verify over the Noise static key"), Patience);
        await node.AssertHealthyAsync();
    }

    [Fact]
    public async Task IdentityProofWithStrInsteadOfBinIsRefused()
    {
        // docs/protocol.md 2.2: the proof's elements are MessagePack bin; the same bytes as str are refused.
        var before = await Before("bad_identity_proof");
        var result = await node.RunPythonPeerAsync("--mode", "str-proof");
        Assert.True(result.TryGetProperty("closed", out _), result.ToString());
        Assert.False(result.TryGetProperty("remote_hello", out _), result.ToString());
        await node.WaitForCounterAsync("bad_identity_proof", before + 1);
        await node.Process.WaitForLogAsync(l => l.Contains("identity proof's identity key must be MessagePack bin, not String"), Patience);
        await node.AssertHealthyAsync();
    }

    [Fact]
    public async Task AFirstHelloOverItsLimitsIsAProtocolViolationWithoutAnError()
    {
        // docs/protocol.md 3.1 wins over section 3 for the first frame: Disconnect(ProtocolViolation) naming the
        // field, no Error(MalformedMessage) first.
        var before = await Before("session_refused_protocol_violation");
        var result = await node.RunPythonPeerAsync("--mode", "long-hello");
        var disconnect = result.GetProperty("disconnect");
        Assert.Equal(3, disconnect.GetProperty("reason").GetInt32());
        Assert.Equal("first frame is not a valid Hello: hello.listen_addresses has 17 items, limit 16", disconnect.GetProperty("message").GetString());
        Assert.False(result.TryGetProperty("errors", out _), result.ToString());
        await node.WaitForCounterAsync("session_refused_protocol_violation", before + 1);
        await node.AssertHealthyAsync();
    }

    [Fact]
    public async Task FrameClaimingTwoGigabytes()
    {
        var before = await Before("frame_too_large");
        var result = await node.RunPythonPeerAsync("--mode", "huge-frame");
        var disconnect = result.GetProperty("disconnect");
        Assert.Equal(3, disconnect.GetProperty("reason").GetInt32()); // ProtocolViolation
        Assert.Contains("2147483648", disconnect.GetProperty("message").GetString());
        await node.WaitForCounterAsync("frame_too_large", before + 1);
        await node.AssertHealthyAsync();
    }

    [Fact]
    public async Task CorruptedCiphertext()
    {
        var before = await Before("decrypt_failed");
        var result = await node.RunPythonPeerAsync("--mode", "corrupt-ciphertext");
        Assert.False(result.TryGetProperty("pong_ok", out _), result.ToString());
        await node.WaitForCounterAsync("decrypt_failed", before + 1);
        await node.Process.WaitForLogAsync(l => l.Contains("failed authentication"), Patience);
        await node.AssertHealthyAsync();
    }

    [Fact]
    public async Task PeerThatConnectsAndSendsNothing()
    {
        var before = await Before("handshake_timeout");
        using (var tcp = await ConnectAsync())
        {
            var closed = await DrainUntilClosedAsync(tcp.GetStream()).WaitAsync(Patience);
            Assert.True(closed, "the node closed the silent connection");
        }
        await node.WaitForCounterAsync("handshake_timeout", before + 1);
        await node.AssertHealthyAsync();
    }

    [Fact]
    public async Task FiveHundredConnectionsAtOnce()
    {
        var refusedBefore = await Before("inbound_refused_limit");
        var timeoutsBefore = node.Counter("handshake_timeout");
        // 500 sockets from 100 loopback source addresses (5 each): the per-address limit (8) is not what stops
        // them, the total inbound limit (256) is.
        var clients = await Task.WhenAll(Enumerable.Range(0, 500).Select(async i =>
        {
            try { return await ConnectAsync(IPAddress.Parse($"127.0.1.{i / 5 + 1}")); }
            catch (SocketException) { return null; }
        }));
        try
        {
            Assert.True(clients.Count(c => c is not null) >= 450, "the listen backlog took most connections");
            await node.WaitForCounterAsync("inbound_refused_limit", refusedBefore + 200);
            await node.WaitForCounterAsync("handshake_timeout", timeoutsBefore + 200);
            await node.Process.WaitForLogAsync(l => l.Contains("inbound limit of 256 connections reached"), Patience);
        }
        finally
        {
            foreach (var c in clients) c?.Dispose();
        }
        await node.AssertHealthyAsync();
    }

    [Fact]
    public async Task UnknownMajorVersion()
    {
        var before = await Before("session_refused_incompatible_version");
        var result = await node.RunPythonPeerAsync("--mode", "wrong-version");
        var disconnect = result.GetProperty("disconnect");
        Assert.Equal(4, disconnect.GetProperty("reason").GetInt32());
        Assert.Contains("peer speaks protocol 2.0; this node speaks 1.x", disconnect.GetProperty("message").GetString());
        await node.WaitForCounterAsync("session_refused_incompatible_version", before + 1);
        await node.AssertHealthyAsync();
    }

    [Fact]
    public async Task MalformedAndUnknownMessagesAfterTheHandshake()
    {
        var malformed = await Before("malformed_message");
        var unknown = node.Counter("unknown_message_type");
        var result = await node.RunPythonPeerAsync("--mode", "garbage-message");
        var codes = result.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetInt32()).ToArray();
        Assert.Equal([1, 1, 2], codes);
        await node.WaitForCounterAsync("malformed_message", malformed + 2);
        await node.WaitForCounterAsync("unknown_message_type", unknown + 1);
        await node.AssertHealthyAsync();
    }

    /// <summary>Reads until the node closes the connection (end of stream or reset).</summary>
    private static async Task<bool> DrainUntilClosedAsync(NetworkStream stream)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer) > 0) { }
        }
        catch (IOException) { }
        return true;
    }
}
