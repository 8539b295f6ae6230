using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Ledger.Storage;
using P2PNode.Metrics;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Runtime;

/// <summary>What a <see cref="TrainingNode"/> runs with: the run, this node's identity, ledger, data and outputs.</summary>
public sealed record RunContext
{
    public required RunSpec Spec { get; init; }
    /// <summary>Run id: the entry hash of the RunGenesis.</summary>
    public required byte[] Run { get; init; }
    /// <summary>The genesis' initial model hash; round 0 must start from exactly this model.</summary>
    public required byte[] InitialModel { get; init; }
    public required NodeIdentity Identity { get; init; }
    public required LedgerStore Ledger { get; init; }
    /// <summary>This node's own training data (it never leaves the node).</summary>
    public required TrainingTask TrainTask { get; init; }
    /// <summary>The held-out data the shared model is scored on after each round (null: no scoring).</summary>
    public TrainingTask? EvalTask { get; init; }
    /// <summary>This node's own held-out data it judges contributions on (docs/runtime.md §3a; the first judge_samples
    /// of its evaluation set). Null: it judges nothing, and goes by the other judges' attestations.</summary>
    public TrainingTask? JudgeTask { get; init; }
    /// <summary>Where the node keeps its resumable state (state.bin).</summary>
    public required string DataDir { get; init; }
    /// <summary>Broadcasts a payload on the run's topic (the overlay signs it as this node).</summary>
    public required Action<byte[]> Publish { get; init; }
    /// <summary>Takes the signed Contribution entry that arrived with a peer's contribution (verified) into the ledger's
    /// keeping (<see cref="P2PNode.Ledger.Sync.LedgerSync.Keep"/>); called on the overlay's thread, so it must be cheap.
    /// Null: the entry is left to ledger replication.</summary>
    public Action<P2PNode.Ledger.Entries.SignedEntry>? KeepEntry { get; init; }
    /// <summary>Serves this node's model to peers and fetches theirs (catch-up); null disables catch-up.</summary>
    public IModelExchange? Exchange { get; init; }
    public required NodeMetrics Metrics { get; init; }
    public required ILogger Log { get; init; }
    /// <summary>Machine-readable progress (one JSON object per event), e.g. for `p2pnode swarm`.</summary>
    public Action<System.Text.Json.Nodes.JsonObject>? Progress { get; init; }
    public string Device { get; init; } = "cpu";
    /// <summary>Inner steps per training chunk: between chunks the node takes in the previous round's result. One:
    /// every step taken before the result is in starts from a stale model (about a point of accuracy at 24x, the
    /// overlapped rows of results.md section 8), so none is added by waiting for a chunk to end; the check is a lock.</summary>
    public int ChunkSteps { get; init; } = 1;
    /// <summary>Fault injection (`run --fail-at-round R`): the training thread throws when it starts round R, so tests
    /// and operators can see what a supervisor does with a failed node. Null in normal runs.</summary>
    public int? FailAtRound { get; init; }
    /// <summary>Measurement only (`run --byzantine MODE`): this node follows the protocol but lies in what it
    /// contributes (<see cref="Byzantine.Attacker"/>). Null in every honest run.</summary>
    public Byzantine.Attacker? Attacker { get; init; }
    /// <summary>The node's clock: round deadlines, liveness, the Status cadence and every wait (a fake one in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
