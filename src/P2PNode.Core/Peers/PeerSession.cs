using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Transport;
using P2PNode.Wire;

namespace P2PNode.Peers;

/// <summary>
/// One live conversation with a peer over any <see cref="IFrameConnection"/>: the Hello exchange and version
/// check, then keep-alive pings, the idle timeout, a bounded outbound queue (a slow peer never stalls the
/// node) and dispatch of everything else to the node. Malformed frames are answered with Error and counted;
/// too many of them end the session.
/// </summary>
public sealed partial class PeerSession : IAsyncDisposable
{
    private const int MaxMalformedFrames = 8;
    private const int MaxBatchFrames = 64;

    private readonly IFrameConnection _connection;
    private readonly TransportOptions _options;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _log;
    private readonly Channel<byte[]> _outbound;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<TimeSpan>> _pendingPings = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<PeerSession, WireMessage, ValueTask>? _onMessage;
    private long _lastSendTicks, _lastReceiveTicks;
    private int _malformed;
    private int _closing;
    private Task _sendLoop = Task.CompletedTask;
    // Bytes of the frames in _outbound (added when queued, taken off when the send loop takes them), the byte cap's
    // drop episode (logged once while it lasts), and a signal the send loop completes when it took frames out.
    private long _queuedBytes;
    private int _overCap;
    private TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PeerSession(IFrameConnection connection, Hello remoteHello, TransportOptions options, NodeMetrics metrics, ILogger log)
    {
        _connection = connection;
        RemoteHello = remoteHello;
        _options = options;
        _metrics = metrics;
        _log = log;
        _outbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _lastSendTicks = _lastReceiveTicks = Stopwatch.GetTimestamp();
    }

    public PeerId RemotePeer => _connection.RemotePeer;
    public string RemoteAddress => _connection.RemoteAddress;
    public bool IsInbound => _connection.IsInbound;
    public Hello RemoteHello { get; }

    /// <summary>Completes when the session has ended, for whatever reason.</summary>
    public Task Completion => _closed.Task;

    /// <summary>Why it ended: set by either side's Disconnect, a timeout or a transport error.</summary>
    public DisconnectReason? EndReason { get; private set; }
    public string? EndMessage { get; private set; }

    /// <summary>
    /// Sends our Hello, reads theirs (it must come first and within the handshake timeout), checks the major
    /// version and that the Hello names the identity the transport authenticated.
    /// </summary>
    public static async Task<PeerSession> EstablishAsync(IFrameConnection connection, Func<string, Hello> helloFor,
        TransportOptions options, NodeMetrics metrics, ILogger log, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.HandshakeTimeout);
        Hello hello;
        try
        {
            await connection.SendAsync([WireCodec.Encode(helloFor(connection.RemoteAddress))], deadline.Token).ConfigureAwait(false);
            var frame = await connection.ReceiveAsync(deadline.Token).ConfigureAwait(false)
                ?? throw new SessionException(DisconnectReason.ProtocolViolation, "peer closed the connection before sending Hello") { FromPeer = true };
            var first = DecodeFirst(frame);
            if (first is Disconnect d)
                throw new SessionException(d.Reason, $"peer refused the session ({d.Reason}): {d.Message}") { FromPeer = true };
            hello = first as Hello ?? throw new SessionException(DisconnectReason.ProtocolViolation, $"first message was {first.Type}, expected Hello");
            if (hello.VersionMajor != ProtocolVersion.Major)
                throw new SessionException(DisconnectReason.IncompatibleVersion,
                    $"peer speaks protocol {hello.VersionMajor}.{hello.VersionMinor}; this node speaks {ProtocolVersion.Major}.x");
            // Compared as ids, not text: a parser accepts either case (docs/protocol.md section 1).
            if (!PeerId.TryParse(hello.PeerId, out var named, out _) || named != connection.RemotePeer)
                throw new SessionException(DisconnectReason.IdentityMismatch,
                    $"Hello names {hello.PeerId} but the handshake proved {connection.RemotePeer}");
        }
        catch (Exception e) when (e is SessionException or TransportException or OperationCanceledException or ArgumentException)
        {
            var (reason, text) = e switch
            {
                SessionException s => (s.Reason, s.Message),
                OperationCanceledException when !ct.IsCancellationRequested => (DisconnectReason.ProtocolViolation, "no Hello within the handshake timeout"),
                _ => (DisconnectReason.ProtocolViolation, e.Message),
            };
            metrics.Increment("session_refused_" + TransportException.ToSnake(reason.ToString()));
            log.NotEstablished(connection.RemotePeer.Short, connection.RemoteAddress, text);
            if (e is SessionException { FromPeer: false } or OperationCanceledException)
                await TrySendFinalAsync(connection, new Disconnect(reason, text)).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            if (e is OperationCanceledException && ct.IsCancellationRequested) throw;
            throw e as SessionException ?? new SessionException(reason, text, e);
        }
        metrics.Increment("sessions_established");
        return new PeerSession(connection, hello, options, metrics, log);
    }

    private static WireMessage DecodeFirst(byte[] frame)
    {
        try { return WireCodec.Decode(frame); }
        catch (WireFormatException e) // UnknownMessageTypeException included: the first frame must be a Hello
        {
            throw new SessionException(DisconnectReason.ProtocolViolation, $"first frame is not a valid Hello: {e.Message}");
        }
    }

    private static async Task TrySendFinalAsync(IFrameConnection connection, WireMessage message)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await connection.SendAsync([WireCodec.Encode(message)], cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TransportException or OperationCanceledException or IOException or ObjectDisposedException) { }
    }

    /// <summary>Starts the send, receive and timer loops; <paramref name="onMessage"/> gets every message
    /// that is not session business (Ping/Pong/Disconnect/Error are handled here).</summary>
    public void Start(Func<PeerSession, WireMessage, ValueTask> onMessage)
    {
        _onMessage = onMessage;
        _sendLoop = Task.Run(SendLoopAsync);
        _ = Task.Run(ReceiveLoopAsync);
        _ = Task.Run(TimerLoopAsync);
    }

    /// <summary>Queues a message; false (and counted) when the peer's queue is full or the session is closing.</summary>
    public bool TrySend(WireMessage message) => TrySendFrame(WireCodec.Encode(message));

    /// <remarks>The same frame may be queued to many sessions (a broadcast is encoded once); it is never modified.</remarks>
    public bool TrySendFrame(byte[] frame)
    {
        if (Volatile.Read(ref _closing) != 0) return false;
        if (!HasRoomFor(frame.Length))
        {
            _metrics.Increment("send_queue_dropped");
            _metrics.Increment("send_queue_dropped_bytes", frame.Length);
            if (Interlocked.Exchange(ref _overCap, 1) == 0)
                _log.SendQueueOverCap(RemotePeer.Short, Interlocked.Read(ref _queuedBytes), _options.SendQueueMaxBytes);
            return false;
        }
        if (TryEnqueue(frame)) return true;
        _metrics.Increment("send_queue_dropped");
        return false;
    }

    /// <summary>Queues a frame, waiting while the queue is full, in frames or in bytes (backpressure for bulk transfers).</summary>
    public async ValueTask SendFrameAsync(byte[] frame, CancellationToken ct)
    {
        while (true)
        {
            if (Volatile.Read(ref _closing) != 0) throw new SessionException(EndReason ?? DisconnectReason.Normal, "session is closed");
            var drained = Volatile.Read(ref _drained).Task;
            if (HasRoomFor(frame.Length)) break;
            await drained.WaitAsync(ct).ConfigureAwait(false);
        }
        Interlocked.Add(ref _queuedBytes, frame.Length);
        try { await _outbound.Writer.WriteAsync(frame, ct).ConfigureAwait(false); }
        catch
        {
            Interlocked.Add(ref _queuedBytes, -frame.Length);
            throw;
        }
    }

    /// <summary>Bytes queued for this peer and not yet handed to the connection.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    private bool HasRoomFor(int length)
    {
        var queued = Interlocked.Read(ref _queuedBytes);
        return queued == 0 || queued + length <= _options.SendQueueMaxBytes;
    }

    private bool TryEnqueue(byte[] frame)
    {
        Interlocked.Add(ref _queuedBytes, frame.Length);
        if (_outbound.Writer.TryWrite(frame)) return true;
        Interlocked.Add(ref _queuedBytes, -frame.Length);
        return false;
    }

    /// <summary>The send loop took <paramref name="bytes"/> off the queue: wake bulk senders, end a drop episode.</summary>
    private void Dequeued(long bytes)
    {
        if (Interlocked.Add(ref _queuedBytes, -bytes) <= _options.SendQueueMaxBytes / 2) Volatile.Write(ref _overCap, 0);
        Interlocked.Exchange(ref _drained, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Round-trip time of one Ping/Pong.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken ct)
    {
        var nonce = (ulong)Random.Shared.NextInt64();
        var tcs = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingPings[nonce] = tcs;
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (!TrySend(new Ping(nonce))) throw new SessionException(EndReason ?? DisconnectReason.Normal, "session is closed or its queue is full");
            using var reg = ct.Register(() => tcs.TrySetCanceled(ct));
            await tcs.Task.ConfigureAwait(false);
            return Stopwatch.GetElapsedTime(started);
        }
        finally { _pendingPings.TryRemove(nonce, out _); }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(DisconnectReason.Normal, "closing").ConfigureAwait(false);
        _stop.Dispose();
    }
}
