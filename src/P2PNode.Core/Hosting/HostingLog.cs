using System.Net;
using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Peers.Scoring;

namespace P2PNode.Hosting;

/// <summary>
/// Log lines of node assembly (source-generated; event ids 3000-3049, docs/runtime.md "Output streams"): joining,
/// the peer store, address discovery, bootstrap file, port mapping, relay and defence. Pings to overlay neighbours
/// use the host's own lines (NodeLog, 1021-1022).
/// </summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "overlay: topic {Topic}, advertising {Address}")]
    public static partial void OverlayStarted(this ILogger log, string topic, string address);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "peer store: {Known} known peer(s) ({Pruned} pruned); joining through {Configured} configured and {Remembered} remembered peer(s)")]
    public static partial void PeerStoreContacts(this ILogger log, int known, int pruned, int configured, int remembered);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "external address {Ip} (observed by {Agreeing} of {Voters} peers)")]
    public static partial void ExternalAddress(this ILogger log, IPAddress ip, int agreeing, int voters);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "{Peer} reported an unusable observed address {Observed}")]
    public static partial void UnusableObservedAddress(this ILogger log, string peer, string observed);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information,
        Message = "bootstrap file {Path} not found (the default network.bootstrap_file): no published bootstrap peers")]
    public static partial void BootstrapFileMissing(this ILogger log, string path);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "bootstrap file {Path}: {Count} peer(s), {Added} added to the {Configured} of network.bootstrap")]
    public static partial void BootstrapFileRead(this ILogger log, string path, int count, int added, int configured);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning,
        Message = "port mapping: no answer within {Limit} s; joining with the local address (a later mapping is not advertised)")]
    public static partial void PortMappingNoAnswer(this ILogger log, double limit);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Warning,
        Message = "port mapping: the gateway moved the mapping to port {Port} (advertised {Advertised}); restart the node to advertise it")]
    public static partial void PortMappingMoved(this ILogger log, int port, string? advertised);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Information, Message = "port mapping {What}: {Why}")]
    public static partial void PortMappingOutcome(this ILogger log, string what, string why);

    [LoggerMessage(EventId = 3030, Level = LogLevel.Information, Message = "relay auto: bootstrap peer {Peer} unreachable: {Reason}")]
    public static partial void RelayCandidateUnreachable(this ILogger log, string peer, string reason);

    [LoggerMessage(EventId = 3040, Level = LogLevel.Information, Message = "permissioned mode: {Count} listed peer(s){Federation}")]
    public static partial void PermissionedMode(this ILogger log, int count, string federation);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Warning, Message = "graylisted {Peer} after {What} (score {Score:0.0}): its gossip is ignored")]
    public static partial void Graylisted(this ILogger log, PeerId peer, string what, double score);

    [LoggerMessage(EventId = 3042, Level = LogLevel.Warning, Message = "banned {Peer} until {Until:u} (score {Score:0.0})")]
    public static partial void Banned(this ILogger log, PeerId peer, DateTimeOffset until, double score);

    [LoggerMessage(EventId = 3043, Level = LogLevel.Debug, Message = "{Peer}: {What}, score {Score:0.0}, {Standing}")]
    public static partial void Offence(this ILogger log, string peer, string what, double score, PeerStanding standing);

    [LoggerMessage(EventId = 3044, Level = LogLevel.Warning, Message = "membership certificate {Path} expired at {Expiry:u}: permissioned peers will refuse this node")]
    public static partial void CertificateExpired(this ILogger log, string path, DateTimeOffset expiry);

    [LoggerMessage(EventId = 3045, Level = LogLevel.Error, Message = "service on topic {Topic} failed; stopping the node")]
    public static partial void ServiceFailed(this ILogger log, Exception exception, string topic);
}
