using P2PNode.Training.Simulation;

namespace P2PNode.Training.Participation;

/// <summary>What a node brings to a run (`p2pnode run --run ID [--shard I/N] [--split S] [--data DIR] [--exit-when-done]
/// [--name N] [--corpus PATH] [--byzantine MODE]`): which run, which part of the data, and whether to stop when the run ends.
/// <see cref="Byzantine"/> makes the node an attacker, for measuring the defences only (docs/robustness.md).</summary>
public sealed record TrainingRunOptions(byte[] Run, int ShardIndex, int ShardCount, DataSplit Split, string? DataDir, bool ExitWhenDone, string DisplayName,
    string? Corpus = null, int? FailAtRound = null, LmDataOptions? Lm = null, Byzantine.AttackMode? Byzantine = null)
{
    public string RunHex => Convert.ToHexStringLower(Run);

    /// <summary>The run's gossip topic: one per run.</summary>
    public string Topic => "run/" + RunHex[..16];
}
