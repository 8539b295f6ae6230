using System.Buffers.Binary;
using P2PNode.Noise;

namespace P2PNode.Transport;

/// <summary>
/// Application framing over Noise transport messages (docs/protocol.md, "Framing"). On the TCP stream every
/// Noise message is a 2-byte big-endian length followed by that many ciphertext bytes (at most 65535).
/// The decrypted payloads form one byte stream of frames, each a 4-byte big-endian length and the body; a
/// frame may span several Noise messages and several small frames may share one. A frame's length is checked
/// against the cap before anything is allocated for it.
/// </summary>
public sealed class SecureChannel : IDisposable
{
    public const int MaxPlaintext = CipherState.MaxMessageSize - CipherState.TagSize;
    private const int FlushThreshold = 256 * 1024;

    private readonly Stream _stream;
    private readonly CipherState _send;
    private readonly CipherState _receive;
    private readonly int _maxFrame;

    private readonly byte[] _sendPlain = new byte[MaxPlaintext];
    private int _sendPlainLength;
    private byte[] _sendWire = new byte[FlushThreshold + CipherState.MaxMessageSize + 2];
    private int _sendWireLength;

    // Ciphertext read ahead from the socket: one read takes whatever the kernel holds (up to 256 KiB), so a
    // busy receiver makes one system call per several Noise messages instead of two per message.
    private const int ReadAhead = 256 * 1024;
    private readonly byte[] _receiveWire = new byte[ReadAhead + 2 + CipherState.MaxMessageSize];
    private int _wireStart, _wireEnd, _messageOffset;
    private readonly byte[] _receivePlain = new byte[MaxPlaintext];
    private int _plainOffset, _plainLength;
    private readonly byte[] _frameHeader = new byte[4];

    public SecureChannel(Stream stream, CipherState send, CipherState receive, int maxFrame)
    {
        _stream = stream;
        _send = send;
        _receive = receive;
        _maxFrame = maxFrame;
    }

    public long BytesSent { get; private set; }
    public long BytesReceived { get; private set; }

    public async ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken ct)
    {
        foreach (var frame in frames)
        {
            if (frame.Length > _maxFrame)
                throw new ArgumentException($"frame of {frame.Length} bytes exceeds the {_maxFrame}-byte limit; send it as chunks");
            WriteLengthPrefix(frame.Length);
            var body = frame;
            while (!body.IsEmpty)
            {
                if (_sendPlainLength == 0 && body.Length >= MaxPlaintext)
                {
                    // A whole Noise message of frame bytes: encrypt straight from the caller's buffer (no copy).
                    Seal(body.Span[..MaxPlaintext]);
                    body = body[MaxPlaintext..];
                    if (_sendWireLength >= FlushThreshold) await FlushWireAsync(ct).ConfigureAwait(false);
                    continue;
                }
                var n = Math.Min(body.Length, MaxPlaintext - _sendPlainLength);
                body.Span[..n].CopyTo(_sendPlain.AsSpan(_sendPlainLength));
                _sendPlainLength += n;
                body = body[n..];
                if (_sendPlainLength == MaxPlaintext) Seal();
                if (_sendWireLength >= FlushThreshold) await FlushWireAsync(ct).ConfigureAwait(false);
            }
        }
        if (_sendPlainLength > 0) Seal();
        await FlushWireAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Test hook: sends raw plaintext below the framing layer, to play a hostile peer.</summary>
    internal async ValueTask SendRawPlaintextAsync(ReadOnlyMemory<byte> plaintext, CancellationToken ct)
    {
        Append(plaintext.Span);
        if (_sendPlainLength > 0) Seal();
        await FlushWireAsync(ct).ConfigureAwait(false);
    }

    private void WriteLengthPrefix(int length)
    {
        Span<byte> prefix = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)length);
        Append(prefix);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var n = Math.Min(bytes.Length, MaxPlaintext - _sendPlainLength);
            bytes[..n].CopyTo(_sendPlain.AsSpan(_sendPlainLength));
            _sendPlainLength += n;
            bytes = bytes[n..];
            if (_sendPlainLength == MaxPlaintext) Seal();
        }
    }

    /// <summary>Encrypts the pending plaintext into one length-prefixed Noise message in the wire buffer.</summary>
    private void Seal()
    {
        Seal(_sendPlain.AsSpan(0, _sendPlainLength));
        _sendPlainLength = 0;
    }

    private void Seal(ReadOnlySpan<byte> plaintext)
    {
        var needed = _sendWireLength + 2 + plaintext.Length + CipherState.TagSize;
        if (needed > _sendWire.Length) Array.Resize(ref _sendWire, needed);
        var written = _send.Encrypt(default, plaintext, _sendWire.AsSpan(_sendWireLength + 2));
        BinaryPrimitives.WriteUInt16BigEndian(_sendWire.AsSpan(_sendWireLength), (ushort)written);
        _sendWireLength += 2 + written;
    }

    private async ValueTask FlushWireAsync(CancellationToken ct)
    {
        if (_sendWireLength == 0) return;
        await _stream.WriteAsync(_sendWire.AsMemory(0, _sendWireLength), ct).ConfigureAwait(false);
        BytesSent += _sendWireLength;
        _sendWireLength = 0;
    }

    /// <summary>The next frame, or null on a clean end of stream at a frame boundary.</summary>
    public async ValueTask<byte[]?> ReceiveAsync(CancellationToken ct)
    {
        if (!await ReadPlainAsync(_frameHeader, allowEof: true, ct).ConfigureAwait(false)) return null;
        var length = BinaryPrimitives.ReadUInt32BigEndian(_frameHeader);
        if (length > (uint)_maxFrame)
            throw new TransportException(TransportError.FrameTooLarge, $"peer announced a frame of {length} bytes; the limit is {_maxFrame}");
        // Every byte is overwritten below, so skip zeroing (it costs as much as a copy on large frames).
        var frame = GC.AllocateUninitializedArray<byte>((int)length);
        await ReadPlainAsync(frame, allowEof: false, ct).ConfigureAwait(false);
        return frame;
    }

    private async ValueTask<bool> ReadPlainAsync(Memory<byte> destination, bool allowEof, CancellationToken ct)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            if (_plainLength == 0)
            {
                var length = await ReadNoiseMessageAsync(allowEof && filled == 0, ct).ConfigureAwait(false);
                if (length < 0) return false;
                var plain = length - CipherState.TagSize;
                if (destination.Length - filled >= plain)
                {
                    // The whole message belongs to this frame: decrypt straight into it (no copy).
                    Decrypt(length, destination.Span.Slice(filled, plain));
                    filled += plain;
                }
                else
                {
                    _plainLength = Decrypt(length, _receivePlain);
                    _plainOffset = 0;
                }
                continue;
            }
            var n = Math.Min(_plainLength, destination.Length - filled);
            _receivePlain.AsSpan(_plainOffset, n).CopyTo(destination.Span[filled..]);
            _plainOffset += n;
            _plainLength -= n;
            filled += n;
        }
        return true;
    }

    /// <summary>Makes the next length-prefixed Noise message available in the read-ahead buffer at
    /// <see cref="_messageOffset"/>; returns its length, or -1 on a clean end of stream where one is allowed.</summary>
    private async ValueTask<int> ReadNoiseMessageAsync(bool allowEof, CancellationToken ct)
    {
        while (true)
        {
            var buffered = _wireEnd - _wireStart;
            if (buffered >= 2)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(_receiveWire.AsSpan(_wireStart));
                if (length < CipherState.TagSize)
                    throw new TransportException(TransportError.MalformedNoiseMessage, $"Noise message of {length} bytes is shorter than its 16-byte tag");
                if (buffered >= 2 + length)
                {
                    _messageOffset = _wireStart + 2;
                    _wireStart += 2 + length;
                    BytesReceived += 2 + length;
                    return length;
                }
            }
            if (buffered == 0) _wireStart = _wireEnd = 0;
            else if (_wireStart + 2 + CipherState.MaxMessageSize > _receiveWire.Length)
            {
                // Not enough room behind the partial message for the largest one: move it to the front.
                _receiveWire.AsSpan(_wireStart, buffered).CopyTo(_receiveWire);
                _wireStart = 0;
                _wireEnd = buffered;
            }
            var got = await _stream.ReadAsync(_receiveWire.AsMemory(_wireEnd), ct).ConfigureAwait(false);
            if (got == 0)
            {
                if (buffered == 0 && allowEof) return -1;
                throw new TransportException(TransportError.ConnectionClosed, "connection closed inside a Noise message");
            }
            _wireEnd += got;
        }
    }

    private int Decrypt(int length, Span<byte> plaintext)
    {
        try
        {
            return _receive.Decrypt(default, _receiveWire.AsSpan(_messageOffset, length), plaintext);
        }
        catch (NoiseException e)
        {
            throw new TransportException(TransportError.DecryptFailed, "a Noise message failed authentication (corrupted or forged ciphertext)", e);
        }
    }

    public void Dispose()
    {
        _send.Dispose();
        _receive.Dispose();
    }
}
