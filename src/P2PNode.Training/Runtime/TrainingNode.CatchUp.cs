using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using P2PNode.Aggregation;
using P2PNode.Hashing;
using P2PNode.Identity;
using P2PNode.Training.State;
using P2PNode.Training.Trainer;
using P2PNode.Transfer;

namespace P2PNode.Training.Runtime;

public sealed partial class TrainingNode
{
    private const int CatchUpLag = 2;
    private long _nextCatchUpMs;
    private Adoption? _adoption;
    private Repair? _repair;
    private long _nextRepairMs;

    /// <summary>The larger group's model for <see cref="Round"/>, replacing this node's <see cref="OldHash"/>, and
    /// the outer optimizer to step it with from now on.</summary>
    private sealed record Repair(ulong Round, float[] Model, Digest256 Hash, Digest256 OldHash, OuterOptimizer Outer);

    /// <summary>A model taken from peers: the base of round <see cref="Round"/>, and the outer optimizer to step it with.</summary>
    private sealed record Adoption(ulong Round, float[] Model, Digest256 Hash, OuterOptimizer Outer);

    /// <summary>What <see cref="TakeFrom"/> took: the model, the outer optimizer that goes with it (its state
    /// serialized), the object ids under which this node now serves both, and whether the state came from the peers.</summary>
    private sealed record Taken(float[] Model, Digest256 Hash, ObjectId ObjectId, OuterOptimizer Outer, byte[] OuterState, ObjectId MomentumId, bool Momentum);

    /// <summary>
    /// A node that is <see cref="CatchUpLag"/> or more rounds behind the most advanced peers (a newcomer, or a
    /// node restarted after a crash) stops replaying old rounds alone: it fetches the model those peers hold,
    /// in verified chunks from all of them, checks its hash against what they announced, and continues from
    /// their round. Returns the adopted model, or null.
    /// </summary>
    private Adoption? TryCatchUp(string canonical, ParameterLayout layout)
    {
        if (_ctx.Exchange is null || NowMs < _nextCatchUpMs) return null;
        _nextCatchUpMs = NowMs + 2000;
        var open = _book.OpenRound;
        List<(PeerId Peer, RunStatus Status)> ahead;
        lock (_gate) ahead = _peerStatus.Where(kv => kv.Value.Serves && kv.Value.Round >= open + CatchUpLag).Select(kv => (kv.Key, kv.Value)).ToList();
        if (ahead.Count == 0) return null;
        // The model most peers at the highest round hold.
        var target = ahead.GroupBy(a => (a.Status.Round, Hash: a.Status.ModelHash, Object: a.Status.ObjectId))
            .OrderByDescending(g => g.Key.Round).ThenByDescending(g => g.Count()).First();
        var peers = target.Select(a => a.Peer).ToList();
        var shown = Short(target.Key.Hash);
        _ctx.Log.CatchingUp(target.Key.Round - open, target.Key.Round, shown, peers.Count);
        // Peers that serve no outer state (older nodes): the momentum restarts from zero, as it always did.
        if (TakeFrom(target.ToList(), new OuterOptimizer(checked((int)layout.Total), _spec.Outer()), canonical, layout) is not { } taken) return null;
        var adoption = new Adoption(target.Key.Round, taken.Model, taken.Hash, taken.Outer);
        _book.Restart(adoption.Round); // contributions to the next rounds may have gone by already: adopt those too
        float[] residual;
        lock (_gate)
        {
            _adoption = adoption;
            Announce(adoption.Round, taken.Hash, taken.ObjectId, taken.MomentumId);
            residual = _residualSnapshot ?? new float[taken.Model.Length];
        }
        _trainWake.Pulse(); // a training thread waiting for a result takes the adoption instead
        SaveState(adoption.Round, taken.Hash, taken.Model, taken.OuterState, residual);
        _ctx.Metrics.Increment("training_catch_ups");
        Report("caught_up", new JsonObject
        {
            ["from_round"] = open, ["round"] = adoption.Round, ["model"] = shown, ["peers"] = peers.Count, ["momentum"] = taken.Momentum,
        });
        return adoption;
    }

    /// <summary>
    /// Fetches the model the holders announced (hash-checked) and the outer optimizer state most of them serve with
    /// it (ties: the smallest object id), and serves both from now on. Taking the model alone left this node's
    /// momentum different from its peers', so its next outer steps gave another model than theirs and it was repaired
    /// again, for 20–30 rounds after each restart. When no holder serves a state (older nodes) the node goes on with
    /// <paramref name="fallback"/>. Null when a fetch failed: the next attempt, 2 s later, may find better sources.
    /// </summary>
    private Taken? TakeFrom(IReadOnlyList<(PeerId Peer, RunStatus Status)> holders, OuterOptimizer fallback, string canonical, ParameterLayout layout)
    {
        var announced = holders[0].Status; // every holder announced this hash and object
        if (Fetch(announced.ObjectId, announced.ModelHash, holders.Select(h => h.Peer).ToList(), canonical, layout) is not { } model) return null;
        var momentum = holders.Where(h => h.Status.ServesMomentum).GroupBy(h => h.Status.MomentumId!.Value)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
        var outer = fallback;
        if (momentum is not null)
        {
            if (FetchOuter(momentum.Key, momentum.Select(h => h.Peer).ToList(), model.Length) is not { } fetched) return null;
            outer = fetched;
            _ctx.Metrics.Increment("training_momentum_taken");
        }
        var state = outer.SaveState();
        // Both served under their own object ids at once: announcing a new hash with the old object made peers fetch
        // old bytes that failed the hash check.
        return new Taken(model, announced.ModelHash, _ctx.Exchange!.Offer(ModelBytes(model)), outer, state, _ctx.Exchange.Offer(state), momentum is not null);
    }

    /// <summary>Fetches an outer optimizer state (docs/deltas.md §9; the object id is its content check) for a model
    /// of <paramref name="n"/> parameters; null if it cannot be fetched or is not a valid state.</summary>
    private OuterOptimizer? FetchOuter(ObjectId id, List<PeerId> peers, int n)
    {
        try
        {
            if (FetchObject(id, peers) is { } bytes) return OuterOptimizer.LoadState(bytes, n, _spec.Outer());
        }
        catch (FormatException e)
        {
            _ctx.Log.BadOuterState(e.Message);
        }
        _ctx.Metrics.Increment("training_model_fetch_failed");
        return null;
    }

    /// <summary>Fetches a transfer object (null if no peer could serve it). A failed fetch never stops the node.</summary>
    private byte[]? FetchObject(ObjectId id, List<PeerId> peers)
    {
        try { return _ctx.Exchange!.FetchAsync(id, peers, _stop.Token).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _ctx.Log.FetchFailed(e.Message);
            return null;
        }
    }

    /// <summary>Fetches a model object and checks it hashes to what its holders announced; null otherwise.</summary>
    private float[]? Fetch(ObjectId id, Digest256 want, List<PeerId> peers, string canonical, ParameterLayout layout)
    {
        var bytes = FetchObject(id, peers);
        var n = checked((int)layout.Total);
        if (bytes is null || bytes.Length != 4 * n)
        {
            _ctx.Metrics.Increment("training_model_fetch_failed");
            _ctx.Log.FetchWrongSize(bytes?.Length ?? 0, 4 * n);
            return null;
        }
        var model = new float[n];
        for (var i = 0; i < n; i++) model[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
        var hash = ModelDigest(ModelHasher.Compute(canonical, layout, model));
        if (hash == want) return model;
        _ctx.Metrics.Increment("training_model_fetch_failed");
        _ctx.Log.FetchWrongHash(Short(hash), Short(want));
        return null;
    }

    /// <summary>
    /// Pulling together: when more nodes hold another model for the round this node is in than hold its own
    /// (this node counted), or as many but one whose hash sorts first, the node takes theirs (fetched and checked
    /// like a catch-up) with the outer optimizer state they serve (<see cref="TakeFrom"/>; none served: it keeps its
    /// own). Every node applies the same rule, so the groups merge into
    /// one (the largest; ties go to the smallest hash) even when none is a majority. Divergence comes from nodes
    /// closing a round with different contribution sets (a straggler, a crash).
    /// </summary>
    private Repair? TryRepair(Digest256 thetaHash, OuterOptimizer outer, string canonical, ParameterLayout layout)
    {
        if (_ctx.Exchange is null || NowMs < _nextRepairMs) return null;
        var open = _book.OpenRound;
        List<(PeerId Peer, RunStatus Status)> same;
        lock (_gate) same = _peerStatus.Where(kv => kv.Value.Round == open && kv.Value.Serves).Select(kv => (kv.Key, kv.Value)).ToList();
        var top = same.GroupBy(a => (Hash: a.Status.ModelHash, Object: a.Status.ObjectId))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Hash).FirstOrDefault();
        if (top is null || top.Key.Hash == thetaHash) return null;
        var mineCount = 1 + same.Count(a => a.Status.ModelHash == thetaHash);
        if (top.Count() < mineCount || (top.Count() == mineCount && top.Key.Hash > thetaHash)) return null;
        _nextRepairMs = NowMs + 2000;
        var holders = top.Count();
        var (theirs, ours) = (Short(top.Key.Hash), Short(thetaHash));
        _ctx.Log.Repairing(open, holders, theirs, mineCount, ours);
        if (TakeFrom(top.ToList(), outer, canonical, layout) is not { } taken) return null;
        var repair = new Repair(open, taken.Model, taken.Hash, thetaHash, taken.Outer);
        lock (_gate)
        {
            _repair = repair;
            Announce(open, repair.Hash, taken.ObjectId, taken.MomentumId);
            // A training thread that has not taken in round open−1's result yet takes the larger group's instead.
            if (open > 0 && _results.TryGetValue(open - 1, out var old))
                _results[open - 1] = old with { Model = taken.Model, Hash = repair.Hash, OuterState = taken.OuterState };
        }
        _ctx.Metrics.Increment("training_repairs");
        Report("repaired", new JsonObject
        {
            ["round"] = open, ["model"] = theirs, ["was"] = ours, ["holders"] = top.Count(), ["momentum"] = taken.Momentum,
        });
        return repair;
    }

    /// <summary>The training thread's side of a repair: if it is training from the replaced base, it moves by
    /// the difference (keeping its steps) and now contributes against the larger group's base.</summary>
    private (float[] Model, Digest256 Hash)? TakeRepair(LocalTrainer trainer, ulong round, float[] baseModel, Digest256 baseHash)
    {
        Repair? r;
        lock (_gate)
        {
            r = _repair;
            if (r is null) return null;
            _repair = null;
        }
        if (r.Round != round || r.OldHash != baseHash) return null;
        var current = trainer.GetFlat();
        for (var i = 0; i < current.Length; i++) current[i] += r.Model[i] - baseModel[i];
        trainer.SetFlat(current);
        return (r.Model, r.Hash);
    }

    /// <summary>The training thread's side: an adopted model for a later round replaces the current one.</summary>
    private Adoption? TakeAdoption(ulong round)
    {
        lock (_gate)
        {
            var a = _adoption;
            _adoption = null;
            return a is not null && a.Round > round ? a : null;
        }
    }

    /// <summary>The model as the object peers fetch: float32 little-endian, in layout order.</summary>
    private static byte[] ModelBytes(float[] model)
    {
        var bytes = new byte[4 * model.Length];
        for (var i = 0; i < model.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), model[i]);
        return bytes;
    }
}
