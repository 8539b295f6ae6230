using Microsoft.Extensions.Logging;

namespace P2PNode.Cli.Commands;

/// <summary>
/// Log lines of `p2pnode run` itself (source-generated; event ids 3001, 3005, 3006, kept from when the command
/// assembled the node: ids are not reused; docs/runtime.md "Output streams"): its control lines and shutdown. The
/// node it runs logs through HostingLog (the rest of 3000-3049) and ParticipationLog (3050-3059).
/// </summary>
internal static partial class CliLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "shutdown requested")]
    public static partial void ShutdownRequested(this ILogger log);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "publish refused: {Reason}")]
    public static partial void PublishRefused(this ILogger log, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "unknown control line {Verb} (known: publish <text>, view <tag>, address <tag>)")]
    public static partial void UnknownControlLine(this ILogger log, string verb);
}
