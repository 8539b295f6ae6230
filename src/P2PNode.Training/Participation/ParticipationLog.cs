using Microsoft.Extensions.Logging;
using P2PNode.Training.Runtime;
using P2PNode.Training.Simulation;

namespace P2PNode.Training.Participation;

/// <summary>Log lines of a node's part in a training run (source-generated; event ids 3050-3059, docs/runtime.md "Output streams").</summary>
internal static partial class ParticipationLog
{
    [LoggerMessage(EventId = 3050, Level = LogLevel.Information, Message = "run {Run}: {Spec}; shard {Index}/{Count} ({Split}), {Samples} training samples")]
    public static partial void TrainingStarts(this ILogger log, string run, RunSpec spec, int index, int count, DataSplit split, long samples);

    [LoggerMessage(EventId = 3051, Level = LogLevel.Error, Message = "training stopped: {Reason}")]
    public static partial void TrainingStopped(this ILogger log, Exception exception, string reason);

    [LoggerMessage(EventId = 3053, Level = LogLevel.Warning, Message = "running as a byzantine attacker ({Mode}): this node lies in its contributions, for measuring the defences only")]
    public static partial void RunningAsAttacker(this ILogger log, string mode);

    [LoggerMessage(EventId = 3052, Level = LogLevel.Information, Message = "waiting for run {Run}'s genesis from peers")]
    public static partial void WaitingForGenesis(this ILogger log, string run);
}
