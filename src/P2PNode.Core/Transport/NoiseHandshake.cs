using System.Buffers.Binary;
using P2PNode.Identity;
using P2PNode.Noise;
using P2PNode.Wire;

namespace P2PNode.Transport;

/// <summary>
/// Runs Noise_XX_25519_ChaChaPoly_SHA256 over a stream (each handshake message prefixed by its 2-byte
/// big-endian length) with the prologue "p2pnode". Message 1 carries no payload; messages 2 and 3 carry the
/// responder's and initiator's <see cref="IdentityProof"/>. The initiator checks the responder's identity
/// before revealing its own.
/// </summary>
public static class NoiseHandshake
{
    public sealed record Result(SecureChannel Channel, PeerId RemotePeer);

    public static async Task<Result> RunAsync(Stream stream, bool initiator, NodeIdentity identity, NoiseStaticKey staticKey,
        PeerId? expectedRemote, int maxFrame, CancellationToken ct)
    {
        using var hs = new HandshakeState(HandshakePattern.XX, initiator, ProtocolVersion.NoisePrologue, staticKey.PrivateKey);
        var proof = IdentityProof.Create(identity, staticKey.PublicKey);
        var buffer = new byte[CipherState.MaxMessageSize];
        PeerId remote;
        try
        {
            if (initiator)
            {
                await WriteAsync(stream, hs, [], buffer, ct).ConfigureAwait(false);
                var payload = await ReadAsync(stream, hs, buffer, ct).ConfigureAwait(false);
                remote = CheckRemote(hs, payload, expectedRemote);
                await WriteAsync(stream, hs, proof, buffer, ct).ConfigureAwait(false);
            }
            else
            {
                await ReadAsync(stream, hs, buffer, ct).ConfigureAwait(false);
                await WriteAsync(stream, hs, proof, buffer, ct).ConfigureAwait(false);
                var payload = await ReadAsync(stream, hs, buffer, ct).ConfigureAwait(false);
                remote = CheckRemote(hs, payload, null);
            }
        }
        catch (NoiseException e)
        {
            throw new TransportException(TransportError.HandshakeFailed, $"Noise handshake failed: {e.Message}", e);
        }
        var (send, receive) = hs.Split();
        return new Result(new SecureChannel(stream, send, receive, maxFrame), remote);
    }

    private static PeerId CheckRemote(HandshakeState hs, byte[] payload, PeerId? expected)
    {
        var remote = IdentityProof.Verify(payload, hs.RemoteStaticPublicKey
            ?? throw new TransportException(TransportError.HandshakeFailed, "handshake finished without a remote static key"));
        if (expected is { } want && !want.Equals(remote))
            throw new TransportException(TransportError.IdentityMismatch, $"dialled {want} but the peer proved {remote}");
        return remote;
    }

    private static async Task WriteAsync(Stream stream, HandshakeState hs, byte[] payload, byte[] buffer, CancellationToken ct)
    {
        var n = hs.WriteMessage(payload, buffer.AsSpan(2));
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)n);
        await stream.WriteAsync(buffer.AsMemory(0, n + 2), ct).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadAsync(Stream stream, HandshakeState hs, byte[] buffer, CancellationToken ct)
    {
        if (await stream.ReadAtLeastAsync(buffer.AsMemory(0, 2), 2, throwOnEndOfStream: false, ct).ConfigureAwait(false) < 2)
            throw new TransportException(TransportError.HandshakeFailed, "connection closed during the handshake");
        var length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        if (await stream.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, ct).ConfigureAwait(false) < length)
            throw new TransportException(TransportError.HandshakeFailed, "connection closed inside a handshake message");
        var payload = new byte[CipherState.MaxMessageSize];
        var p = hs.ReadMessage(buffer.AsSpan(0, length), payload);
        return payload.AsSpan(0, p).ToArray();
    }
}
