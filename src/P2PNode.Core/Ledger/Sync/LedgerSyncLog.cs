using Microsoft.Extensions.Logging;
using P2PNode.Wire;

namespace P2PNode.Ledger.Sync;

/// <summary>Ledger replication log lines (source-generated; event ids 1500-1599, docs/runtime.md "Output streams").</summary>
internal static partial class LedgerSyncLog
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Error, Message = "ledger heads tick failed")]
    public static partial void HeadsTickFailed(this ILogger log, Exception exception);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Error, Message = "ledger greeting to {Peer} failed")]
    public static partial void GreetingFailed(this ILogger log, Exception exception, string peer);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Error, Message = "ledger message {Type} from {Peer} failed")]
    public static partial void LedgerMessageFailed(this ILogger log, Exception exception, MessageType type, string peer);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "ledger sync refused ({Counter}) {Reason}")]
    public static partial void SyncRefused(this ILogger log, string counter, string reason);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Error, Message = "storing kept ledger entries failed")]
    public static partial void KeptStoreFailed(this ILogger log, Exception error);
}
