using P2PNode.Identity;
using P2PNode.Transport;
using P2PNode.Wire;

namespace P2PNode.Peers.Scoring;

/// <summary>
/// An <see cref="IFrameConnection"/> that reports bad input below the message layer to the scorer as
/// <see cref="Offence.InvalidMessage"/>: a frame that does not decode (the session also answers it with
/// Error(MalformedMessage) and closes after eight), and a connection broken by the peer's bytes (ciphertext
/// failing authentication, an oversized frame, a malformed Noise message). A frame of an unknown message type
/// is not an offence: newer minor versions may add types. Frames are decoded once more here, after the rate
/// limiter has dropped what is over the allowance; the session decodes them again (a memory copy for large
/// binaries, cheap next to the decryption already paid).
/// </summary>
public sealed class ScoredConnection(IFrameConnection inner, PeerScorer scorer) : IFrameConnection
{
    public PeerId RemotePeer => inner.RemotePeer;
    public string RemoteAddress => inner.RemoteAddress;
    public bool IsInbound => inner.IsInbound;

    public ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken ct) => inner.SendAsync(frames, ct);

    public async ValueTask<byte[]?> ReceiveAsync(CancellationToken ct)
    {
        byte[]? frame;
        try
        {
            frame = await inner.ReceiveAsync(ct).ConfigureAwait(false);
        }
        catch (TransportException e) when (e.Error is TransportError.DecryptFailed or TransportError.FrameTooLarge or TransportError.MalformedNoiseMessage)
        {
            scorer.Report(RemotePeer, Offence.InvalidMessage, $"a broken connection ({e.CounterName})");
            throw;
        }
        if (frame is not null && !Decodes(frame)) scorer.Report(RemotePeer, Offence.InvalidMessage, "a malformed frame");
        return frame;
    }

    private static bool Decodes(byte[] frame)
    {
        try
        {
            WireCodec.Decode(frame);
            return true;
        }
        catch (UnknownMessageTypeException) { return true; } // before its base: an unknown type is not malformed
        catch (WireFormatException) { return false; }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
