using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using P2PNode.Aggregation;
using P2PNode.Hashing;
using P2PNode.Identity;
using P2PNode.Training.State;

namespace P2PNode.Training.Runtime;

public sealed partial class TrainingNode
{
    private long _nextAdoptMs;

    /// <summary>
    /// A restarted (or caught-up) node rejoins the round in progress: for a round whose contributions it may have
    /// lost (<see cref="RoundBook.Incomplete"/>) it takes the result the peers announce for it (the model of their
    /// next round, fetched and hash-checked like a repair) instead of aggregating its partial book. Closing such a
    /// round alone, with zero contributions, was how a restart split the run (issue 11). Its own contribution to
    /// the round went out as usual and is in the peers' result. Takes the outer optimizer state they serve with it,
    /// like a repair (none served: keeps its own); no Aggregation entry is written (it aggregated nothing). Returns
    /// the adopted model, the outer optimizer to go on with and the round's event.
    /// </summary>
    private (float[] Model, Digest256 Hash, OuterOptimizer Outer, JsonObject Line)? TryAdoptRound(ulong round, OuterOptimizer outer, ModelSketch sketcher, string canonical, ParameterLayout layout)
    {
        if (_ctx.Exchange is null || !_book.Incomplete(round) || NowMs < _nextAdoptMs) return null;
        List<(PeerId Peer, RunStatus Status)> done;
        lock (_gate) done = _peerStatus.Where(kv => kv.Value.Serves && kv.Value.Round == round + 1).Select(kv => (kv.Key, kv.Value)).ToList();
        // The model most of them hold (ties: the smallest hash), the same choice a repair makes.
        var top = done.GroupBy(a => (Hash: a.Status.ModelHash, Object: a.Status.ObjectId))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Hash).FirstOrDefault();
        if (top is null) return null;
        _nextAdoptMs = NowMs + 2000;
        var (holders, shown) = (top.Count(), Short(top.Key.Hash));
        _ctx.Log.AdoptingRound(round, shown, holders);
        if (TakeFrom(top.ToList(), outer, canonical, layout) is not { } taken) return null;
        var (model, hash, outerState) = (taken.Model, taken.Hash, taken.OuterState);
        var dropped = _book.Adopt();
        var sketch = sketcher.Of(model);
        float[] residual;
        lock (_gate)
        {
            _results[round] = new RoundResult(round, model.ToArray(), hash, outerState);
            _results.Remove(round - AggregationPolicy.MaxLateRounds);
            _announcedBases.RemoveWhere(b => b.Round + AggregationPolicy.MaxLateRounds < round);
            Announce(round + 1, hash, taken.ObjectId, taken.MomentumId);
            _statusSketch = sketch;
            residual = _residualSnapshot ?? new float[model.Length];
        }
        _trainWake.Pulse(); // the training thread may be waiting for this result
        SaveState(round + 1, hash, model, outerState, residual);
        PublishStatus();
        _ctx.Metrics.Increment("training_rounds_adopted");
        var line = new JsonObject
        {
            ["round"] = round, ["contributors"] = 0, ["used"] = 0, ["rejected"] = 0, ["late"] = 0, ["members"] = ActiveMembers(),
            ["model"] = shown, ["consensus_distance"] = ConsensusDistance(round + 1, sketch),
            ["bytes_sent"] = _ctx.Metrics.Get("frame_bytes_sent"), ["published_bytes"] = _ctx.Metrics.Get("training_contribution_bytes_published"),
            ["adopted"] = true, ["dropped"] = dropped, ["momentum"] = taken.Momentum,
        };
        return (model, hash, taken.Outer, line);
    }

    /// <summary>While some live peer is still on <paramref name="round"/> or has just closed it, an incomplete
    /// round waits for the peers' result rather than closing on this node's partial book.</summary>
    private bool PeersCloseIt(ulong round)
    {
        if (!_book.Incomplete(round)) return false;
        var now = NowMs;
        lock (_gate)
            return _peerStatus.Any(kv => kv.Key != _self && _lastSeen.TryGetValue(kv.Key, out var seen) && now - seen <= LiveWindowMs
                && kv.Value.Round + 1 >= round && kv.Value.Round <= round + 1);
    }
}
