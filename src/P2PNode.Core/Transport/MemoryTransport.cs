using System.Threading.Channels;
using P2PNode.Identity;

namespace P2PNode.Transport;

/// <summary>The in-memory <see cref="ITransport"/>: same contract as TCP, frames passed by reference.</summary>
public sealed class MemoryTransport(PeerId self, MemoryNetwork network, int maxFrameSize = 4 * 1024 * 1024) : ITransport
{
    private Func<IFrameConnection, Task>? _onInbound;
    private string? _address;

    public PeerId Self { get; } = self;

    public Task<IReadOnlyList<string>> ListenAsync(Func<IFrameConnection, Task> onInbound, CancellationToken ct)
    {
        _onInbound = onInbound;
        _address = network.Register(this);
        return Task.FromResult<IReadOnlyList<string>>([_address]);
    }

    public async Task<IFrameConnection> DialAsync(string address, PeerId? expected, CancellationToken ct)
    {
        var target = network.Find(address) ?? throw new TransportException(TransportError.DialFailed, $"nothing listens on {address}");
        if (expected is { } want && !want.Equals(target.Self))
            throw new TransportException(TransportError.IdentityMismatch, $"dialled {want} but the peer proved {target.Self}");
        var toTarget = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var toSelf = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var mine = new MemoryConnection(target.Self, address, false, toTarget.Writer, toSelf.Reader, maxFrameSize);
        var theirs = new MemoryConnection(Self, _address ?? "mem:dialer", true, toSelf.Writer, toTarget.Reader, target.MaxFrameSize);
        var accept = target._onInbound ?? throw new TransportException(TransportError.DialFailed, $"{address} is not accepting");
        _ = Task.Run(() => accept(theirs), CancellationToken.None);
        await Task.Yield();
        return mine;
    }

    internal int MaxFrameSize => maxFrameSize;

    public ValueTask DisposeAsync()
    {
        if (_address is not null) network.Unregister(_address);
        return ValueTask.CompletedTask;
    }

    private sealed class MemoryConnection(PeerId remote, string remoteAddress, bool inbound,
        ChannelWriter<byte[]> output, ChannelReader<byte[]> input, int peerMaxFrame) : IFrameConnection
    {
        public PeerId RemotePeer { get; } = remote;
        public string RemoteAddress { get; } = remoteAddress;
        public bool IsInbound { get; } = inbound;

        public async ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken ct)
        {
            foreach (var f in frames)
            {
                if (f.Length > peerMaxFrame) throw new ArgumentException($"frame of {f.Length} bytes exceeds the {peerMaxFrame}-byte limit");
                if (!output.TryWrite(f.ToArray()))
                    throw new TransportException(TransportError.ConnectionClosed, "connection closed");
            }
            await Task.CompletedTask;
        }

        public async ValueTask<byte[]?> ReceiveAsync(CancellationToken ct)
        {
            try { return await input.ReadAsync(ct).ConfigureAwait(false); }
            catch (ChannelClosedException) { return null; }
        }

        public ValueTask DisposeAsync()
        {
            output.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}
