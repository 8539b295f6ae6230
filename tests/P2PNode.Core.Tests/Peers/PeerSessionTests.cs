using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Transport;
using P2PNode.Wire;

namespace P2PNode.Core.Tests.Peers;

// Sessions over the in-memory transport: everything above the socket, with no network.
public sealed class PeerSessionTests : IAsyncLifetime
{
    private static readonly TransportOptions Fast = new()
    {
        // No test here needs the handshake to time out: room for a stalled machine (below the idle timeout,
        // as the config loader requires).
        HandshakeTimeout = TimeSpan.FromSeconds(3),
        // Generous ratio (keep-alive at a fortieth of the idle timeout) and an idle timeout longer than the
        // second-long stalls a loaded CI machine shows, so late timers cannot make a healthy link look idle.
        KeepAliveInterval = TimeSpan.FromMilliseconds(100),
        IdleTimeout = TimeSpan.FromSeconds(4),
    };

    // Upper bound on waits for something that happens at once (or after the idle timeout): only a failure waits it out.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly MemoryNetwork _network = new();
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var d in Enumerable.Reverse(_owned)) await d.DisposeAsync();
    }

    private async Task<(NodeHost Host, string Address)> StartNodeAsync(TransportOptions? options = null)
    {
        var id = NodeIdentity.Generate();
        var host = new NodeHost(id, new MemoryTransport(id.PeerId, _network), options ?? Fast, new NodeMetrics(), NullLogger.Instance)
        {
            Agent = "test/1",
            Capabilities = ["gossip/1"],
        };
        _owned.Add(host);
        var addresses = await host.StartAsync(default);
        return (host, addresses[0]);
    }

    private async Task<IFrameConnection> RawDialAsync(string address, NodeIdentity who)
    {
        var transport = new MemoryTransport(who.PeerId, _network);
        _owned.Add(transport);
        var connection = await transport.DialAsync(address, null, default);
        _owned.Add(connection);
        return connection;
    }

    private static async Task<WireMessage> NextAsync(IFrameConnection c, Func<WireMessage, bool>? skip = null)
    {
        while (true)
        {
            var frame = await c.ReceiveAsync(default).AsTask().WaitAsync(Patience) ?? throw new EndOfStreamException("closed");
            var m = WireCodec.Decode(frame);
            if (skip is null || !skip(m)) return m;
        }
    }

    private static Hello HelloOf(NodeIdentity id, uint major = ProtocolVersion.Major) =>
        new(major, 0, id.PeerId.ToString(), [], [], "raw/1", "mem:x");

    [Fact]
    public async Task TwoNodesExchangeHelloAndPing()
    {
        var (a, addressA) = await StartNodeAsync();
        var (b, _) = await StartNodeAsync();
        var session = await b.ConnectAsync(addressA, a.PeerId, default);
        Assert.Equal(a.PeerId, session.RemotePeer);
        Assert.Equal("test/1", session.RemoteHello.Agent);
        Assert.Equal(["gossip/1"], session.RemoteHello.Capabilities);
        Assert.Equal(addressA, session.RemoteHello.ListenAddresses.Single());
        var rtt = await session.PingAsync(default).WaitAsync(Patience);
        Assert.True(rtt > TimeSpan.Zero);
        await Eventually.UntilAsync(() => a.Sessions.Any(s => s.RemotePeer == b.PeerId), "a to hold a session with b", Patience);
    }

    [Fact]
    public async Task KeepAliveHoldsAnIdleLinkOpenPastTheIdleTimeout()
    {
        var (a, addressA) = await StartNodeAsync();
        var (b, _) = await StartNodeAsync();
        var session = await b.ConnectAsync(addressA, a.PeerId, default);
        await Task.Delay(Fast.IdleTimeout * 1.5);
        Assert.False(session.Completion.IsCompleted, $"session ended: {session.EndReason} {session.EndMessage}");
        Assert.True(b.Metrics.Get("frames_sent") >= 3, "keep-alive pings were sent");
    }

    [Fact]
    public async Task APeerThatGoesSilentIsDisconnectedForIdleness()
    {
        var (a, addressA) = await StartNodeAsync();
        using var raw = NodeIdentity.Generate();
        var c = await RawDialAsync(addressA, raw);
        await c.SendAsync([WireCodec.Encode(HelloOf(raw))], default);
        Assert.IsType<Hello>(await NextAsync(c));
        var bye = Assert.IsType<Disconnect>(await NextAsync(c, m => m is Ping));
        Assert.Equal(DisconnectReason.IdleTimeout, bye.Reason);
        Assert.Equal(1, a.Metrics.Get("idle_timeout"));
    }

    [Fact]
    public async Task UnknownMajorVersionIsRefusedWithAClearReason()
    {
        var (a, addressA) = await StartNodeAsync();
        using var raw = NodeIdentity.Generate();
        var c = await RawDialAsync(addressA, raw);
        await c.SendAsync([WireCodec.Encode(HelloOf(raw, major: 2))], default);
        Assert.IsType<Hello>(await NextAsync(c));
        var bye = Assert.IsType<Disconnect>(await NextAsync(c));
        Assert.Equal(DisconnectReason.IncompatibleVersion, bye.Reason);
        Assert.Contains("peer speaks protocol 2.0; this node speaks 1.x", bye.Message);
        Assert.Equal(1, a.Metrics.Get("session_refused_incompatible_version"));
        Assert.Empty(a.Sessions);
    }

    [Fact]
    public async Task HelloNamingAnotherPeerIsRefused()
    {
        var (_, addressA) = await StartNodeAsync();
        using var raw = NodeIdentity.Generate();
        using var other = NodeIdentity.Generate();
        var c = await RawDialAsync(addressA, raw);
        await c.SendAsync([WireCodec.Encode(HelloOf(other))], default);
        Assert.IsType<Hello>(await NextAsync(c));
        Assert.Equal(DisconnectReason.IdentityMismatch, Assert.IsType<Disconnect>(await NextAsync(c)).Reason);
    }

    [Fact]
    public async Task MalformedFramesAreAnsweredCountedAndFinallyDisconnected()
    {
        var (a, addressA) = await StartNodeAsync();
        using var raw = NodeIdentity.Generate();
        var c = await RawDialAsync(addressA, raw);
        await c.SendAsync([WireCodec.Encode(HelloOf(raw))], default);
        Assert.IsType<Hello>(await NextAsync(c));
        await c.SendAsync([new byte[] { 0x92, 0xcc, 0xfa, 0x01 }], default); // unknown type 250: answered, not counted as malformed (99 is ConnectRequest since the relay)
        var unknown = Assert.IsType<ErrorMessage>(await NextAsync(c, m => m is Ping));
        Assert.Equal(ErrorCode.UnknownMessageType, unknown.Code);
        await c.SendAsync([WireCodec.Encode(new Ping(77))], default);
        Assert.Equal(new Pong(77), await NextAsync(c, m => m is Ping));
        for (var i = 0; i < 8; i++) await c.SendAsync([new byte[] { 0xc1 }], default);
        var errors = 0;
        while (true)
        {
            var m = await NextAsync(c, x => x is Ping);
            if (m is ErrorMessage { Code: ErrorCode.MalformedMessage }) { errors++; continue; }
            Assert.Equal(DisconnectReason.ProtocolViolation, Assert.IsType<Disconnect>(m).Reason);
            break;
        }
        Assert.Equal(8, errors);
        Assert.Equal(8, a.Metrics.Get("malformed_message"));
        Assert.Equal(1, a.Metrics.Get("unknown_message_type"));
    }

    [Fact]
    public async Task ShutdownSaysGoodbyeToEveryPeer()
    {
        var (a, addressA) = await StartNodeAsync();
        var (b, _) = await StartNodeAsync();
        var (c, _) = await StartNodeAsync();
        var sb = await b.ConnectAsync(addressA, a.PeerId, default);
        var sc = await c.ConnectAsync(addressA, a.PeerId, default);
        await Eventually.UntilAsync(() => a.Sessions.Count == 2, "a to hold both sessions", Patience);
        await a.StopAsync();
        await Task.WhenAll(sb.Completion, sc.Completion).WaitAsync(Patience);
        Assert.Equal(DisconnectReason.Shutdown, sb.EndReason);
        Assert.Equal(DisconnectReason.Shutdown, sc.EndReason);
    }
}
