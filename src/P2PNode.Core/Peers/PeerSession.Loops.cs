using System.Diagnostics;
using Microsoft.Extensions.Logging;
using P2PNode.Transport;
using P2PNode.Wire;

namespace P2PNode.Peers;

public sealed partial class PeerSession
{
    private async Task SendLoopAsync()
    {
        var batch = new List<ReadOnlyMemory<byte>>(MaxBatchFrames);
        try
        {
            while (await _outbound.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                batch.Clear();
                var bytes = 0;
                while (batch.Count < MaxBatchFrames && bytes < 1 << 20 && _outbound.Reader.TryRead(out var frame))
                {
                    batch.Add(frame);
                    bytes += frame.Length;
                }
                Dequeued(bytes);
                await _connection.SendAsync(batch, _stop.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastSendTicks, Stopwatch.GetTimestamp());
                _metrics.Increment("frames_sent", batch.Count);
                _metrics.Increment("frame_bytes_sent", bytes);
                foreach (var frame in batch) _metrics.Increment(SentByFamily[Family(WireCodec.PeekType(frame))], frame.Length);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is TransportException or IOException or ObjectDisposedException)
        {
            _ = EndAsync(DisconnectReason.Normal, $"send failed: {e.Message}", sendDisconnect: false);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var frame = await _connection.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    await EndAsync(EndReason ?? DisconnectReason.Normal, EndMessage ?? "peer closed the connection", sendDisconnect: false).ConfigureAwait(false);
                    return;
                }
                Volatile.Write(ref _lastReceiveTicks, Stopwatch.GetTimestamp());
                _metrics.Increment("frames_received");
                _metrics.Increment("frame_bytes_received", frame.Length);
                await HandleFrameAsync(frame).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
        catch (TransportException e)
        {
            _metrics.Increment(e.CounterName);
            _log.Broken(RemotePeer.Short, e.CounterName, e.Message);
            // An oversized frame leaves our own send direction intact: tell the peer why before closing.
            await EndAsync(DisconnectReason.ProtocolViolation, e.Message, sendDisconnect: e.Error == TransportError.FrameTooLarge).ConfigureAwait(false);
        }
    }

    private async Task HandleFrameAsync(byte[] frame)
    {
        WireMessage message;
        try
        {
            message = WireCodec.Decode(frame);
        }
        catch (UnknownMessageTypeException e) // before WireFormatException, its base: not counted as malformed
        {
            _metrics.Increment("unknown_message_type");
            TrySend(new ErrorMessage(ErrorCode.UnknownMessageType, e.Message));
            return;
        }
        catch (WireFormatException e)
        {
            _metrics.Increment("malformed_message");
            _log.MalformedFrame(RemotePeer.Short, e.Message);
            TrySend(new ErrorMessage(ErrorCode.MalformedMessage, e.Message));
            if (Interlocked.Increment(ref _malformed) >= MaxMalformedFrames)
                await EndAsync(DisconnectReason.ProtocolViolation, $"{MaxMalformedFrames} malformed frames", sendDisconnect: true).ConfigureAwait(false);
            return;
        }
        _metrics.Increment(ReceivedByFamily[Family((uint)message.Type)], frame.Length);
        switch (message)
        {
            case Ping p:
                TrySend(new Pong(p.Nonce));
                break;
            case Pong p:
                if (_pendingPings.TryRemove(p.Nonce, out var tcs)) tcs.TrySetResult(TimeSpan.Zero);
                break;
            case Disconnect d:
                _log.Disconnected(RemotePeer.Short, d.Reason, d.Message);
                await EndAsync(d.Reason, d.Message, sendDisconnect: false).ConfigureAwait(false);
                break;
            case ErrorMessage err:
                _metrics.Increment("error_received");
                _log.Reported(RemotePeer.Short, err.Code, err.Message);
                break;
            case Hello:
                _metrics.Increment("malformed_message");
                TrySend(new ErrorMessage(ErrorCode.MalformedMessage, "Hello is only valid as the first frame"));
                break;
            default:
                if (_onMessage is not null) await _onMessage(this, message).ConfigureAwait(false);
                break;
        }
    }

    private async Task TimerLoopAsync()
    {
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(20).Ticks,
            Math.Min(_options.KeepAliveInterval.Ticks, _options.IdleTimeout.Ticks) / 4));
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReceiveTicks)) >= _options.IdleTimeout)
                {
                    _metrics.Increment("idle_timeout");
                    await EndAsync(DisconnectReason.IdleTimeout, $"nothing received for {_options.IdleTimeout.TotalSeconds:0.#} s", sendDisconnect: true).ConfigureAwait(false);
                    return;
                }
                if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSendTicks)) >= _options.KeepAliveInterval)
                {
                    Volatile.Write(ref _lastSendTicks, Stopwatch.GetTimestamp());
                    TrySend(new Ping((ulong)Random.Shared.NextInt64()));
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Sends Disconnect (after what is already queued) and closes.</summary>
    public Task CloseAsync(DisconnectReason reason, string message) => EndAsync(reason, message, sendDisconnect: true);

    private async Task EndAsync(DisconnectReason reason, string message, bool sendDisconnect)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            await _closed.Task.ConfigureAwait(false);
            return;
        }
        EndReason = reason;
        EndMessage = message;
        if (sendDisconnect)
        {
            // Let the send loop flush what is queued, with a bounded wait, then say goodbye ourselves.
            TryEnqueue(WireCodec.Encode(new Disconnect(reason, message)));
            _outbound.Writer.TryComplete();
            await Task.WhenAny(_sendLoop, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        }
        _outbound.Writer.TryComplete();
        Volatile.Read(ref _drained).TrySetResult(); // a bulk sender waiting for room sees the session closed
        _stop.Cancel();
        await _connection.DisposeAsync().ConfigureAwait(false);
        foreach (var pending in _pendingPings.Values) pending.TrySetException(new SessionException(reason, $"session ended: {message}"));
        _closed.TrySetResult();
    }

    /// <summary>Bytes by protocol family (docs/protocol.md's type ranges), both directions, so an operator can see
    /// what the traffic is: model payloads (gossip), repairs (transfer), ledger replication or the overlay itself.</summary>
    private static int Family(uint type) => type switch { < 16 => 0, < 32 => 1, < 64 => 2, < 80 => 3, < 96 => 4, < 104 => 5, _ => 6 };

    private static readonly string[] ReceivedByFamily =
    [
        "frame_bytes_received_session", "frame_bytes_received_membership", "frame_bytes_received_gossip", "frame_bytes_received_transfer",
        "frame_bytes_received_ledger", "frame_bytes_received_relay", "frame_bytes_received_other",
    ];

    private static readonly string[] SentByFamily =
    [
        "frame_bytes_sent_session", "frame_bytes_sent_membership", "frame_bytes_sent_gossip", "frame_bytes_sent_transfer",
        "frame_bytes_sent_ledger", "frame_bytes_sent_relay", "frame_bytes_sent_other",
    ];
}
