using Microsoft.Extensions.Logging;
using P2PNode.Wire;
using P2PNode.Wire.Relay;

namespace P2PNode.Relay;

/// <summary>Circuit relay log lines, relay and client side (source-generated; event ids 1300-1399, docs/runtime.md "Output streams").</summary>
internal static partial class RelayLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "relay: reachable as {Address} (reservation on {Relay})")]
    public static partial void Reachable(this ILogger log, string address, string relay);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "relay: session to {Relay} ended; reserving again")]
    public static partial void ReservationSessionEnded(this ILogger log, string relay);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "relay: no reservation on {Relay} ({Reason}); retrying in {Seconds:0.0} s")]
    public static partial void NoReservation(this ILogger log, string relay, string reason, double seconds);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "relay: reservation for {Peer} until {Expires:O} ({Address})")]
    public static partial void ReservationGranted(this ILogger log, string peer, DateTimeOffset expires, string address);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "relay: refused a reservation for {Peer} [{Status}]: {Message}")]
    public static partial void ReservationRefused(this ILogger log, string peer, RelayStatus status, string message);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Warning, Message = "relay: refused a circuit from {Peer} [{Status}]: {Message}")]
    public static partial void CircuitRefusedByRelay(this ILogger log, string peer, RelayStatus status, string message);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Information, Message = "relay: circuit {Source} -> {Target} open")]
    public static partial void CircuitOpened(this ILogger log, string source, string target);

    /// <summary>Information when the circuit ended normally or a peer left, else Warning.</summary>
    [LoggerMessage(EventId = 1314, Message = "relay: circuit {Source} -> {Target} {What} [{Status}] after {Bytes} bytes: {Message}")]
    public static partial void CircuitClosed(this ILogger log, LogLevel level, string source, string target, string what, RelayStatus status, long bytes,
        string message);

    [LoggerMessage(EventId = 1320, Level = LogLevel.Information, Message = "relayed connection to {Target} through {Relay}")]
    public static partial void RelayedConnection(this ILogger log, string target, string relay);

    [LoggerMessage(EventId = 1321, Level = LogLevel.Warning, Message = "relayed dial failed [{Reason}]: {Message}")]
    public static partial void RelayedDialFailed(this ILogger log, string reason, string message);

    [LoggerMessage(EventId = 1322, Level = LogLevel.Warning, Message = "refused a circuit from {Source} via {Relay} [{Status}]: {Reason}")]
    public static partial void IncomingCircuitRefused(this ILogger log, string source, string relay, RelayStatus status, string reason);

    [LoggerMessage(EventId = 1323, Level = LogLevel.Warning, Message = "relayed inbound handshake from {Source} failed [{Counter}]: {Reason}")]
    public static partial void RelayedHandshakeFailed(this ILogger log, string source, string counter, string reason);

    [LoggerMessage(EventId = 1324, Level = LogLevel.Warning, Message = "circuit {Id:x16} via {Relay}: more than {Max} bytes unread, closing")]
    public static partial void CircuitOverflow(this ILogger log, ulong id, string relay, long max);

    [LoggerMessage(EventId = 1325, Level = LogLevel.Debug, Message = "{Peer} sent a message for unknown circuit {Id:x16}")]
    public static partial void UnknownCircuitMessage(this ILogger log, string peer, ulong id);

    [LoggerMessage(EventId = 1326, Level = LogLevel.Debug, Message = "{Peer} sent an unexpected {Type}: {Why}")]
    public static partial void UnexpectedRelayMessage(this ILogger log, string peer, MessageType type, string why);
}
