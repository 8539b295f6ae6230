using System.Net;
using Microsoft.Extensions.Logging;

namespace P2PNode.Nat;

/// <summary>NAT discovery and port mapping log lines (source-generated; event ids 1400-1499, docs/runtime.md "Output streams").</summary>
internal static partial class NatLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Debug, Message = "NAT discovery: skipping {Method}: no gateway given and no IPv4 default route")]
    public static partial void SkippedNoGateway(this ILogger log, NatMethod method);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "NAT discovery: skipping {Method}: {Gateway}:{Port} is unreachable")]
    public static partial void SkippedUnreachable(this ILogger log, NatMethod method, IPAddress? gateway, int port);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "NAT discovery: {Protocol} gateway answers")]
    public static partial void GatewayAnswers(this ILogger log, string protocol);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Debug, Message = "NAT discovery: {Method} failed: {Reason}")]
    public static partial void MethodFailed(this ILogger log, NatMethod method, string reason);

    [LoggerMessage(EventId = 1410, Level = LogLevel.Information, Message = "NAT: {Protocol} mapped {Transport} {External} -> port {Private} for {Lifetime}")]
    public static partial void Mapped(this ILogger log, string protocol, NatProtocol transport, IPEndPoint external, int @private, TimeSpan lifetime);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Debug, Message = "NAT: {Protocol} renewed {External} for {Lifetime}")]
    public static partial void Renewed(this ILogger log, string protocol, IPEndPoint external, TimeSpan lifetime);

    [LoggerMessage(EventId = 1412, Level = LogLevel.Warning, Message = "NAT: {Protocol} renewal of {External} failed ({Left} left): {Reason}")]
    public static partial void RenewalFailed(this ILogger log, string protocol, IPEndPoint external, string left, string reason);

    [LoggerMessage(EventId = 1413, Level = LogLevel.Error, Message = "NAT: a PortMappingKeeper.Changed handler threw")]
    public static partial void ChangedHandlerThrew(this ILogger log, Exception exception);

    [LoggerMessage(EventId = 1414, Level = LogLevel.Information, Message = "NAT: {Protocol} deleted mapping {External}")]
    public static partial void Deleted(this ILogger log, string protocol, IPEndPoint external);

    [LoggerMessage(EventId = 1415, Level = LogLevel.Warning, Message = "NAT: {Protocol} could not delete mapping {External}: {Reason}")]
    public static partial void DeleteFailed(this ILogger log, string protocol, IPEndPoint external, string reason);
}
