using P2PNode.Identity;
using P2PNode.Transport;

namespace P2PNode.Peers.Scoring;

/// <summary>An <see cref="IFrameConnection"/> that drops received frames over the peer's allowance.</summary>
internal sealed class RateLimitedConnection(IFrameConnection inner, PeerRateLimiter limiter) : IFrameConnection
{
    public PeerId RemotePeer => inner.RemotePeer;
    public string RemoteAddress => inner.RemoteAddress;
    public bool IsInbound => inner.IsInbound;

    public ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken ct) => inner.SendAsync(frames, ct);

    public async ValueTask<byte[]?> ReceiveAsync(CancellationToken ct)
    {
        while (true)
        {
            var frame = await inner.ReceiveAsync(ct).ConfigureAwait(false);
            if (frame is null || limiter.Allow(RemotePeer, frame.Length)) return frame;
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
