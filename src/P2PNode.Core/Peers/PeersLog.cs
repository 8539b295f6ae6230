using Microsoft.Extensions.Logging;
using P2PNode.Wire;

namespace P2PNode.Peers;

/// <summary>Peer session log lines (source-generated; event ids 1100-1199, docs/runtime.md "Output streams").</summary>
internal static partial class PeersLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "session with {Peer} at {Address} not established: {Reason}")]
    public static partial void NotEstablished(this ILogger log, string peer, string address, string reason);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "connection with {Peer} broken [{Counter}]: {Reason}")]
    public static partial void Broken(this ILogger log, string peer, string counter, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "malformed frame from {Peer}: {Reason}")]
    public static partial void MalformedFrame(this ILogger log, string peer, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "{Peer} disconnected ({Reason}): {Message}")]
    public static partial void Disconnected(this ILogger log, string peer, DisconnectReason reason, string message);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "{Peer} reported {Code}: {Message}")]
    public static partial void Reported(this ILogger log, string peer, ErrorCode code, string message);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "send queue to {Peer} holds {Queued} bytes, over its cap of {Cap}: dropping frames to it until it drains (send_queue_dropped)")]
    public static partial void SendQueueOverCap(this ILogger log, string peer, long queued, long cap);
}
