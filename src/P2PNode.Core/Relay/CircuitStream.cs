using System.Threading.Channels;
using P2PNode.Peers;
using P2PNode.Wire;
using P2PNode.Wire.Relay;

namespace P2PNode.Relay;

/// <summary>
/// One end of a relayed circuit as a byte stream, so the ordinary Noise handshake and framing
/// (<see cref="Transport.NoiseHandshake"/>, <see cref="Transport.SecureChannel"/>) run over it unchanged.
/// Writes become <see cref="CircuitData"/> messages on the session to the relay (waiting while that session's
/// queue is full); received data is buffered up to a byte cap — a peer that outruns the reader gets the
/// circuit closed (flow_control) rather than unbounded memory.
/// </summary>
internal sealed class CircuitStream : Stream
{
    private readonly Channel<byte[]> _incoming = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly long _maxBuffered;
    private readonly Action<CircuitStream> _onClosed;
    private long _buffered;
    private byte[]? _current;
    private int _offset;
    private int _closed;

    public CircuitStream(PeerSession relaySession, ulong id, long maxBuffered, Action<CircuitStream> onClosed)
    {
        Session = relaySession;
        Id = id;
        _maxBuffered = maxBuffered;
        _onClosed = onClosed;
    }

    public PeerSession Session { get; }
    public ulong Id { get; }

    /// <summary>Why the circuit ended, once it has.</summary>
    public RelayStatus? CloseStatus { get; private set; }
    public string? CloseMessage { get; private set; }

    /// <summary>Data from the relay, in order (called from the session's receive loop: never blocks). False
    /// when the buffer cap is exceeded: the caller closes the circuit.</summary>
    public bool Deliver(byte[] data)
    {
        if (Volatile.Read(ref _closed) != 0) return true;
        if (Interlocked.Add(ref _buffered, data.Length) > _maxBuffered) return false;
        _incoming.Writer.TryWrite(data);
        return true;
    }

    /// <summary>The circuit ended (remote close, relay refusal, session gone): readers see end of stream.</summary>
    public void MarkClosed(RelayStatus status, string message)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        CloseStatus = status;
        CloseMessage = message;
        _incoming.Writer.TryComplete();
        _onClosed(this);
    }

    /// <summary>Closes from this side: tells the relay (which tells the other end) and ends the stream.</summary>
    public void Close(RelayStatus status, string message)
    {
        if (Volatile.Read(ref _closed) != 0) return;
        Session.TrySend(new CircuitClose(Id, status, message));
        MarkClosed(status, message);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (buffer.IsEmpty) return 0;
        while (_current is null || _offset == _current.Length)
        {
            try { _current = await _incoming.Reader.ReadAsync(ct).ConfigureAwait(false); }
            catch (ChannelClosedException) { return 0; }
            _offset = 0;
            Interlocked.Add(ref _buffered, -_current.Length);
        }
        var n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        while (!buffer.IsEmpty)
        {
            if (Volatile.Read(ref _closed) != 0) throw new IOException($"circuit closed ({CloseStatus}): {CloseMessage}");
            var n = Math.Min(buffer.Length, RelayWireLimits.MaxCircuitData);
            try
            {
                await Session.SendFrameAsync(WireCodec.Encode(new CircuitData(Id, buffer[..n].ToArray())), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SessionException or ChannelClosedException)
            {
                MarkClosed(RelayStatus.PeerGone, "the session to the relay ended");
                throw new IOException("the session to the relay ended", e);
            }
            buffer = buffer[n..];
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close(RelayStatus.Normal, "closed");
        base.Dispose(disposing);
    }
}
