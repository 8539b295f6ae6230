using P2PNode.Noise;
using P2PNode.Transport;

namespace P2PNode.Core.Tests.Transport;

/// <summary>
/// Framing over Noise messages, below the socket: frames written by one channel are read back by another
/// through a stream that hands out at most a few bytes per read, so every split of length prefixes, Noise
/// messages and frames across reads is exercised.
/// </summary>
public sealed class SecureChannelTests
{
    private const int MaxFrame = 4 << 20;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65_537)]
    [InlineData(1 << 20)]
    public async Task Frames_of_every_shape_survive_any_read_size(int readSize)
    {
        int[] sizes = [0, 1, 3, SecureChannel.MaxPlaintext - 4, SecureChannel.MaxPlaintext, SecureChannel.MaxPlaintext + 1, 1 << 20, 5, 3 << 20];
        var frames = sizes.Select((n, i) => Enumerable.Range(0, n).Select(b => (byte)(b * 31 + i)).ToArray()).ToArray();
        var (wire, receive) = await WriteAsync(frames);
        using var reader = new SecureChannel(new TrickleStream(wire, readSize), Pair().Send, receive, MaxFrame);
        foreach (var expected in frames)
            Assert.Equal(expected, await reader.ReceiveAsync(default));
        Assert.Null(await reader.ReceiveAsync(default)); // clean end of stream at a frame boundary
        Assert.Equal(wire.Length, reader.BytesReceived);
    }

    [Fact]
    public async Task End_of_stream_inside_a_noise_message_is_a_closed_connection()
    {
        var (wire, receive) = await WriteAsync([new byte[100]]);
        using var reader = new SecureChannel(new TrickleStream(wire[..^10], 64), Pair().Send, receive, MaxFrame);
        var e = await Assert.ThrowsAsync<TransportException>(async () => await reader.ReceiveAsync(default));
        Assert.Equal(TransportError.ConnectionClosed, e.Error);
    }

    [Fact]
    public async Task A_noise_message_shorter_than_its_tag_is_malformed()
    {
        using var reader = new SecureChannel(new MemoryStream([0x00, 0x0F, .. new byte[15]]), Pair().Send, Pair().Receive, MaxFrame);
        var e = await Assert.ThrowsAsync<TransportException>(async () => await reader.ReceiveAsync(default));
        Assert.Equal(TransportError.MalformedNoiseMessage, e.Error);
    }

    [Fact]
    public async Task A_flipped_ciphertext_bit_fails_authentication()
    {
        var (wire, receive) = await WriteAsync([new byte[200_000]]);
        wire[70_000] ^= 0x01; // inside the second Noise message
        using var reader = new SecureChannel(new MemoryStream(wire), Pair().Send, receive, MaxFrame);
        var e = await Assert.ThrowsAsync<TransportException>(async () => await reader.ReceiveAsync(default));
        Assert.Equal(TransportError.DecryptFailed, e.Error);
    }

    [Fact]
    public async Task A_frame_length_over_the_cap_is_refused_before_allocating()
    {
        var (wire, receive) = await WriteAsync([new byte[10]]);
        using var reader = new SecureChannel(new MemoryStream(wire), Pair().Send, receive, maxFrame: 9);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = await Assert.ThrowsAsync<TransportException>(async () => await reader.ReceiveAsync(default));
        Assert.Equal(TransportError.FrameTooLarge, e.Error);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "the refused frame was allocated");
    }

    /// <summary>Encrypts <paramref name="frames"/> into wire bytes; returns them and the matching receive state.</summary>
    private static async Task<(byte[] Wire, CipherState Receive)> WriteAsync(byte[][] frames)
    {
        var (send, receive) = Pair();
        var wire = new MemoryStream();
        using (var writer = new SecureChannel(wire, send, Pair().Receive, MaxFrame))
            await writer.SendAsync(frames.Select(f => (ReadOnlyMemory<byte>)f).ToArray(), default);
        return (wire.ToArray(), receive);
    }

    /// <summary>A sending and the matching receiving CipherState: one fresh key, both nonces at zero (what a
    /// handshake's Split gives each direction; the handshake itself is tested in Noise/).</summary>
    private static (CipherState Send, CipherState Receive) Pair()
    {
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(CipherState.KeySize);
        return (new CipherState(key), new CipherState(key));
    }

    /// <summary>A read-only stream over bytes that returns at most <c>limit</c> bytes per read.</summary>
    private sealed class TrickleStream(byte[] bytes, int limit) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, limit));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, limit)]);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, limit)], ct);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            base.ReadAsync(buffer, offset, Math.Min(count, limit), ct);
    }
}
