using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Wire;

namespace P2PNode.Node;

/// <summary>Node host and peer keeper log lines, public for the CLI's own pings (source-generated; event ids 1000-1099, docs/runtime.md "Output streams").</summary>
public static partial class NodeLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "node {PeerId} listening on {Addresses}")]
    public static partial void Listening(this ILogger log, PeerId peerId, string addresses);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "node {PeerId} stopped")]
    public static partial void Stopped(this ILogger log, string peerId);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "{Direction} session with {Peer} at {Address} ({Agent})")]
    public static partial void SessionStarted(this ILogger log, string direction, PeerId peer, string address, string agent);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "session with {Peer} ended ({Reason}): {Message}")]
    public static partial void SessionEnded(this ILogger log, string peer, DisconnectReason? reason, string? message);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "refused {Peer} at {Address}: {Reason} {Message}")]
    public static partial void Refused(this ILogger log, PeerId peer, string address, DisconnectReason reason, string message);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "cannot reach {Peer} at {Address} ({Reason}); retrying in {Seconds:0.0} s")]
    public static partial void CannotReach(this ILogger log, string peer, string address, string reason, double seconds);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "ping {Peer}: rtt {Rtt:0.000} ms")]
    public static partial void Ping(this ILogger log, string peer, double rtt);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Warning, Message = "ping {Peer} failed: {Reason}")]
    public static partial void PingFailed(this ILogger log, string peer, string reason);
}
