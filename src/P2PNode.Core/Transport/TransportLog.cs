using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace P2PNode.Transport;

/// <summary>Transport log lines (source-generated; event ids 1200-1299, docs/runtime.md "Output streams").</summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "accept failed: {Error}")]
    public static partial void AcceptFailed(this ILogger log, SocketError error);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "refused inbound connection from {Remote}: {Reason}")]
    public static partial void InboundRefused(this ILogger log, string remote, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "{Direction} connection {Remote} closed during handshake [{Counter}]: {Reason}")]
    public static partial void HandshakeFailed(this ILogger log, string direction, string remote, string counter, string reason);
}
