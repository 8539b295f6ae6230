using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Transport;

namespace P2PNode.Core.Tests.Transport;

// Real TCP on 127.0.0.1 with the real Noise handshake, both ends in this process.
public sealed class TcpTransportTests : IAsyncLifetime
{
    // The silent-client test waits this out; every other handshake here must finish within it, so it is longer
    // than the second-long stalls of a loaded CI machine.
    private static readonly TransportOptions Options = new() { Listen = ["127.0.0.1:0"], HandshakeTimeout = TimeSpan.FromSeconds(4), MaxFrameSize = 2 * 1024 * 1024 };
    // Upper bound on waits: only a failing test waits it out.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly NodeIdentity _serverId = NodeIdentity.Generate(), _clientId = NodeIdentity.Generate();
    private readonly NodeMetrics _serverMetrics = new();
    private TcpTransport _server = null!, _client = null!;
    private string _address = "";
    private readonly TaskCompletionSource<IFrameConnection> _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _server = new TcpTransport(_serverId, Options, _serverMetrics, NullLogger.Instance);
        _client = new TcpTransport(_clientId, Options, new NodeMetrics(), NullLogger.Instance);
        _address = (await _server.ListenAsync(c => { _accepted.TrySetResult(c); return Task.CompletedTask; }, default))[0];
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _client.DisposeAsync();
    }

    [Fact]
    public async Task BothSidesLearnTheProvenIdentity()
    {
        await using var client = await _client.DialAsync(_address, _serverId.PeerId, default);
        await using var server = await _accepted.Task.WaitAsync(Patience);
        Assert.Equal(_serverId.PeerId, client.RemotePeer);
        Assert.Equal(_clientId.PeerId, server.RemotePeer);
        Assert.True(server.IsInbound);
        Assert.False(client.IsInbound);
    }

    [Fact]
    public async Task FramesOfEverySizeAcrossNoiseMessageBoundariesArriveIntact()
    {
        await using var client = await _client.DialAsync(_address, null, default);
        await using var server = await _accepted.Task.WaitAsync(Patience);
        int[] sizes = [0, 1, 3, 65515, 65516, 65519, 65520, 131038, 1 << 20, Options.MaxFrameSize];
        var rng = new Random(5);
        var frames = sizes.Select(n => { var b = new byte[n]; rng.NextBytes(b); return b; }).ToArray();
        var send = client.SendAsync(frames.Select(f => (ReadOnlyMemory<byte>)f).ToArray(), default).AsTask();
        foreach (var expected in frames)
        {
            var got = await server.ReceiveAsync(default);
            Assert.NotNull(got);
            Assert.Equal(expected.Length, got!.Length);
            Assert.True(expected.AsSpan().SequenceEqual(got), $"frame of {expected.Length} bytes differs");
        }
        await send;
    }

    [Fact]
    public async Task DiallingAKnownPeerIdFailsWhenTheListenerIsSomeoneElse()
    {
        using var stranger = NodeIdentity.Generate();
        var e = await Assert.ThrowsAsync<TransportException>(() => _client.DialAsync(_address, stranger.PeerId, default));
        Assert.Equal(TransportError.IdentityMismatch, e.Error);
        Assert.Contains(_serverId.PeerId.ToString(), e.Message);
    }

    [Fact]
    public async Task OversizedFrameClaimIsRefusedBeforeAllocation()
    {
        await using var client = await _client.DialAsync(_address, null, default);
        await using var server = await _accepted.Task.WaitAsync(Patience);
        // A sender is refused locally too...
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync([new byte[Options.MaxFrameSize + 1]], default).AsTask());
        // ...and a receiver refuses a claimed length over its cap without reading the body.
        var channel = ((TcpConnection)client).Channel;
        await channel.SendRawPlaintextAsync(new byte[] { 0x80, 0, 0, 0 }, default);
        var e = await Assert.ThrowsAsync<TransportException>(() => server.ReceiveAsync(default).AsTask());
        Assert.Equal(TransportError.FrameTooLarge, e.Error);
        Assert.Contains("2147483648", e.Message);
    }

    [Fact]
    public async Task SilentClientIsClosedAtTheHandshakeTimeoutAndCounted()
    {
        var (host, port) = Split(_address);
        using var silent = new TcpClient();
        await silent.ConnectAsync(host, port);
        var buffer = new byte[16];
        var read = await silent.GetStream().ReadAsync(buffer).AsTask().WaitAsync(Patience);
        Assert.Equal(0, read); // closed by the server
        await Eventually.UntilAsync(() => _serverMetrics.Get("handshake_timeout") == 1, "handshake_timeout counted", Patience);
    }

    [Fact]
    public async Task RandomBytesFailTheHandshakeAndAreCounted()
    {
        var (host, port) = Split(_address);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port);
        var junk = new byte[300];
        new Random(9).NextBytes(junk);
        junk[0] = 0; junk[1] = 32; // a plausible first length, then garbage: the responder fails at message 3 or earlier
        await tcp.GetStream().WriteAsync(junk);
        tcp.Client.Shutdown(SocketShutdown.Send);
        await Eventually.UntilAsync(() => _serverMetrics.Get("handshake_failed") >= 1, "handshake_failed counted", Patience);
        // and the listener still serves an honest client
        await using var ok = await _client.DialAsync(_address, _serverId.PeerId, default);
        Assert.Equal(_serverId.PeerId, ok.RemotePeer);
    }

    private static (string, int) Split(string address) => (address[..address.LastIndexOf(':')], int.Parse(address[(address.LastIndexOf(':') + 1)..]));
}
