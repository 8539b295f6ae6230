using P2PNode.Identity;

namespace P2PNode.Transport;

/// <summary>
/// An authenticated, ordered, reliable duplex of application frames with a proven remote identity. TCP+Noise
/// and the in-memory transport both produce these, so everything above (sessions, overlay) runs on either.
/// </summary>
public interface IFrameConnection : IAsyncDisposable
{
    PeerId RemotePeer { get; }

    /// <summary>The remote endpoint as this side sees it ("ip:port"), or the dialled address.</summary>
    string RemoteAddress { get; }

    bool IsInbound { get; }

    /// <summary>Sends frames in order; several small frames may share one Noise message. One caller at a time.</summary>
    ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken ct);

    /// <summary>Next frame, or null when the remote closed cleanly. Throws <see cref="TransportException"/> on
    /// a broken stream (bad ciphertext, oversized frame). One caller at a time.</summary>
    ValueTask<byte[]?> ReceiveAsync(CancellationToken ct);
}
