using Microsoft.Extensions.Logging;
using P2PNode.Identity;

namespace P2PNode.Training.Runtime;

/// <summary>Training runtime log lines (source-generated; event ids 2000-2099, docs/runtime.md "Output streams").</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "{Thread} thread failed")]
    public static partial void ThreadFailed(this ILogger log, Exception error, string thread);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "contribution of {Peer} for round {Round} is outside this node's window (open round {Open})")]
    public static partial void OutOfWindow(this ILogger log, PeerId peer, ulong round, ulong open);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "not using this node's own contribution [{Reason}]: {Detail}")]
    public static partial void OwnContributionRefused(this ILogger log, string reason, string detail);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "refused a training message from {Peer} [{Reason}, an offence]: {Detail}")]
    public static partial void Offence(this ILogger log, PeerId peer, string reason, string detail);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "not using a contribution from {Peer} [{Reason}, a round rule, no offence]: {Detail}")]
    public static partial void RoundRuleRefusal(this ILogger log, PeerId peer, string reason, string detail);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "status broadcast failed: {Reason}")]
    public static partial void StatusFailed(this ILogger log, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "round {Round}: deadline passed with {Have} of {Need} contributions ({Stragglers} live nodes still on it)")]
    public static partial void DeadlinePassed(this ILogger log, ulong round, int have, int need, int stragglers);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "round {Round}: already contributed before the restart; not contributing again")]
    public static partial void AlreadyContributed(this ILogger log, ulong round);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "waiting for {Min} members before training (seeing {Now})")]
    public static partial void WaitingForMembers(this ILogger log, int min, int now);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information, Message = "resuming at round {Round} from {Path} (model {Hash})")]
    public static partial void Resuming(this ILogger log, ulong round, string path, string hash);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "round {Round}: contributions to it may have been lost in a restart; taking the result {Hash} {Count} peer(s) hold")]
    public static partial void AdoptingRound(this ILogger log, ulong round, string hash, int count);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "{Behind} rounds behind: fetching the round {Round} model {Hash} from {Peers} peer(s)")]
    public static partial void CatchingUp(this ILogger log, ulong behind, ulong round, string hash, int peers);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "fetched outer optimizer state is not valid: {Reason}")]
    public static partial void BadOuterState(this ILogger log, string reason);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "object fetch failed: {Reason}")]
    public static partial void FetchFailed(this ILogger log, string reason);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "model fetch gave {Size} bytes, expected {Expected}")]
    public static partial void FetchWrongSize(this ILogger log, int size, int expected);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "fetched model hashes to {Got}, peers announced {Want}: discarded")]
    public static partial void FetchWrongHash(this ILogger log, string got, string want);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Information, Message = "round {Round}: {Count} nodes hold model {Theirs}, {MineCount} hold this node's {Mine}: taking theirs")]
    public static partial void Repairing(this ILogger log, ulong round, int count, string theirs, int mineCount, string mine);
}
