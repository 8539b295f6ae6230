using P2PNode.TestSupport;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Transport;
using P2PNode.Wire;

namespace P2PNode.Core.Tests.Transport;

// The per-session send queue's byte cap (TransportOptions.SendQueueMaxBytes) on real NodeHosts over the in-memory
// transport; one peer's connection is held shut so its queue cannot drain.
public sealed class SendQueueCapTests : IAsyncLifetime
{
    private readonly MemoryNetwork _network = new();
    private readonly List<(NodeHost Host, NodeIdentity Id)> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (host, id) in _hosts)
        {
            await host.DisposeAsync();
            id.Dispose();
        }
    }

    /// <summary>Passes sends through until <see cref="Close"/>; then each send waits for <see cref="Open"/>.</summary>
    private sealed class Gate
    {
        private volatile TaskCompletionSource _open = Opened();

        private static TaskCompletionSource Opened()
        {
            var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            t.SetResult();
            return t;
        }

        public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Open() => _open.TrySetResult();
        public Task WaitAsync(CancellationToken ct) => _open.Task.WaitAsync(ct);
    }

    private sealed class GatedConnection(IFrameConnection inner, Gate gate) : IFrameConnection
    {
        public PeerId RemotePeer => inner.RemotePeer;
        public string RemoteAddress => inner.RemoteAddress;
        public bool IsInbound => inner.IsInbound;

        public async ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken ct)
        {
            await gate.WaitAsync(ct);
            await inner.SendAsync(frames, ct);
        }

        public ValueTask<byte[]?> ReceiveAsync(CancellationToken ct) => inner.ReceiveAsync(ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class GatedTransport(ITransport inner, ConcurrentDictionary<string, Gate> gates) : ITransport
    {
        public Task<IReadOnlyList<string>> ListenAsync(Func<IFrameConnection, Task> onInbound, CancellationToken ct) => inner.ListenAsync(onInbound, ct);

        public async Task<IFrameConnection> DialAsync(string address, PeerId? expected, CancellationToken ct)
        {
            var c = await inner.DialAsync(address, expected, ct);
            return gates.TryGetValue(address, out var gate) ? new GatedConnection(c, gate) : c;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private async Task<NodeHost> HostAsync(TransportOptions options, Func<NodeIdentity, ITransport>? transport = null)
    {
        var id = NodeIdentity.Generate();
        var host = new NodeHost(id, transport?.Invoke(id) ?? new MemoryTransport(id.PeerId, _network), options, new NodeMetrics(), NullLogger.Instance);
        await host.StartAsync(default);
        _hosts.Add((host, id));
        return host;
    }

    private static readonly byte[] Frame400 = WireCodec.Encode(new ErrorMessage(ErrorCode.MalformedMessage, new string('x', 390)));

    /// <summary>A sender whose send queues hold at most 1000 bytes, connected to a peer through a gate (open for now).</summary>
    private async Task<(NodeHost Sender, NodeHost Peer, Gate Gate, PeerSession Session)> GatedPairAsync()
    {
        var gates = new ConcurrentDictionary<string, Gate>();
        var sender = await HostAsync(new TransportOptions { SendQueueMaxBytes = 1000 },
            id => new GatedTransport(new MemoryTransport(id.PeerId, _network), gates));
        var peer = await HostAsync(new TransportOptions());
        var gate = gates[peer.ListenAddresses[0]] = new Gate();
        return (sender, peer, gate, await sender.ConnectAsync(peer.ListenAddresses[0], null, default));
    }

    [Fact]
    public async Task ASlowPeerOverTheByteCapGetsACountedDropWhileAnotherPeerGetsEveryFrame()
    {
        var (sender, slowPeer, gate, slow) = await GatedPairAsync();
        var fastPeer = await HostAsync(new TransportOptions());
        var fast = await sender.ConnectAsync(fastPeer.ListenAddresses[0], null, default);

        // ~400-byte frames; the receiver counts each as error_received.
        var frame = Frame400;
        Assert.InRange(frame.Length, 390, 420);
        gate.Close();
        Assert.True(slow.TrySendFrame(frame));
        await Eventually.UntilAsync(() => slow.QueuedBytes == 0, "the send loop to take the first frame (it then waits at the gate)");

        // Two more fit under 1000 bytes; the third would not: dropped and counted, for the slow peer only.
        bool[] slowAccepted = [slow.TrySendFrame(frame), slow.TrySendFrame(frame), slow.TrySendFrame(frame)];
        // The cap is per peer: the slow peer's 800 queued bytes do not count against the fast one.
        bool[] fastAccepted = [fast.TrySendFrame(frame), fast.TrySendFrame(frame)];
        Assert.Equal([true, true, false], slowAccepted);
        Assert.Equal([true, true], fastAccepted);
        Assert.Equal(1, sender.Metrics.Get("send_queue_dropped"));
        Assert.Equal(frame.Length, sender.Metrics.Get("send_queue_dropped_bytes"));
        Assert.Equal(2 * frame.Length, slow.QueuedBytes);
        await Eventually.UntilAsync(() => fastPeer.Metrics.Get("error_received") == 2, "the fast peer to get both frames");

        // Once the slow peer drains, it gets what was queued (not the dropped frame) and takes frames again.
        gate.Open();
        await Eventually.UntilAsync(() => slowPeer.Metrics.Get("error_received") == 3, "the slow peer to get the three queued frames");
        Assert.True(slow.TrySendFrame(frame));
        await Eventually.UntilAsync(() => slowPeer.Metrics.Get("error_received") == 4, "the slow peer to get a frame after draining");
        Assert.False(slow.Completion.IsCompleted);
        Assert.False(fast.Completion.IsCompleted);
    }

    [Fact]
    public async Task OneFrameLargerThanTheCapStillGoesWhenTheQueueIsEmpty()
    {
        var sender = await HostAsync(new TransportOptions { SendQueueMaxBytes = 100 });
        var peer = await HostAsync(new TransportOptions());
        var session = await sender.ConnectAsync(peer.ListenAddresses[0], null, default);
        var big = WireCodec.Encode(new ErrorMessage(ErrorCode.MalformedMessage, new string('y', 500)));
        await Eventually.UntilAsync(() => session.QueuedBytes == 0, "an empty queue");
        Assert.True(session.TrySendFrame(big));
        await Eventually.UntilAsync(() => peer.Metrics.Get("error_received") == 1, "the large frame to arrive");
    }

    [Fact]
    public async Task ABulkSenderWaitsForBytesAndIsReleasedByDrainingOrByTheSessionEnding()
    {
        var (_, peer, gate, session) = await GatedPairAsync();
        var frame = Frame400;
        gate.Close();
        Assert.True(session.TrySendFrame(frame));
        await Eventually.UntilAsync(() => session.QueuedBytes == 0, "the send loop to take the first frame");
        await session.SendFrameAsync(frame, default);
        await session.SendFrameAsync(frame, default);

        var waiting = session.SendFrameAsync(frame, default).AsTask(); // 1200 bytes would be over the cap
        Assert.False(waiting.IsCompleted);
        gate.Open();
        await waiting;
        await Eventually.UntilAsync(() => peer.Metrics.Get("error_received") == 4, "all four frames to arrive");

        gate.Close();
        Assert.True(session.TrySendFrame(frame));
        await Eventually.UntilAsync(() => session.QueuedBytes == 0, "the send loop to take the frame");
        await session.SendFrameAsync(frame, default);
        await session.SendFrameAsync(frame, default);
        var stuck = session.SendFrameAsync(frame, default).AsTask();
        Assert.False(stuck.IsCompleted);
        _ = session.CloseAsync(DisconnectReason.Normal, "test");
        await Assert.ThrowsAsync<SessionException>(() => stuck);
        gate.Open();
    }
}
