using Microsoft.Extensions.Logging;
using P2PNode.Peers.Scoring;

namespace P2PNode.Transfer;

/// <summary>Object transfer log lines (source-generated; event ids 1600-1699, docs/runtime.md "Output streams").</summary>
internal static partial class TransferLog
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Warning, Message = "transfer offence by {Peer}: {Offence} ({Detail})")]
    public static partial void TransferOffence(this ILogger log, string peer, Offence offence, string detail);
}
