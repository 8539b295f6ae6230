using P2PNode.Identity;
using P2PNode.Transport;

namespace P2PNode.Relay;

/// <summary>An end-to-end Noise channel through a relay: the same framing as TCP, over a <see cref="CircuitStream"/>.
/// The relay only ever sees the ciphertext.</summary>
internal sealed class RelayedConnection(CircuitStream stream, SecureChannel channel, PeerId remote, string remoteAddress, bool inbound) : IFrameConnection
{
    private int _disposed;

    public PeerId RemotePeer { get; } = remote;
    public string RemoteAddress { get; } = remoteAddress;
    public bool IsInbound { get; } = inbound;

    public async ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken ct)
    {
        try { await channel.SendAsync(frames, ct).ConfigureAwait(false); }
        catch (IOException e) { throw new TransportException(TransportError.ConnectionClosed, $"circuit lost: {e.Message}", e); }
    }

    public async ValueTask<byte[]?> ReceiveAsync(CancellationToken ct)
    {
        try { return await channel.ReceiveAsync(ct).ConfigureAwait(false); }
        catch (IOException e) { throw new TransportException(TransportError.ConnectionClosed, $"circuit lost: {e.Message}", e); }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return ValueTask.CompletedTask;
        stream.Dispose();
        channel.Dispose();
        return ValueTask.CompletedTask;
    }
}
