using Microsoft.Extensions.Logging;
using P2PNode.Identity;

namespace P2PNode.Overlay;

/// <summary>Overlay log lines (source-generated; event ids 1700-1799, docs/runtime.md "Output streams").</summary>
internal static partial class OverlayLog
{
    [LoggerMessage(EventId = 1700, Level = LogLevel.Error, Message = "overlay action failed")]
    public static partial void ActionFailed(this ILogger log, Exception exception);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Error, Message = "gossip validator failed to prepare a message; it validates it under the lock instead")]
    public static partial void PrepareFailed(this ILogger log, Exception exception);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Debug, Message = "overlay dial to {Peer} at {Address} failed: {Reason}")]
    public static partial void DialFailed(this ILogger log, string peer, string address, string reason);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Warning, Message = "{Peer} and this node are banned from each other until {Until:u}: not dialled again before then")]
    public static partial void Banned(this ILogger log, PeerId peer, DateTimeOffset until);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Warning, Message = "overlay offence by {Peer}: {Offence}")]
    public static partial void OffenceBy(this ILogger log, string peer, OverlayOffence offence);
}
