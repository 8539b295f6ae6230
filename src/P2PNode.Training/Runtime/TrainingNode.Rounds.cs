using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using P2PNode.Aggregation;
using P2PNode.Compression;
using P2PNode.Hashing;
using P2PNode.Ledger.Entries;
using P2PNode.Rounds;
using P2PNode.Training.State;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Runtime;

public sealed partial class TrainingNode
{
    /// <summary>
    /// The round thread: for each round, once this node has trained it, waits for a quorum of the active nodes
    /// (or the deadline), then aggregates, steps the outer optimizer, records the Aggregation entry, saves the
    /// node's state and hands the result to the training thread.
    /// </summary>
    private void RoundLoop()
    {
        TorchSharp.torch.set_num_threads(1);
        NodeState start;
        try { start = _resumed.Task.Wait(Timeout.Infinite, _stop.Token) ? _resumed.Task.Result : throw new OperationCanceledException(); }
        catch (AggregateException e) { throw e.InnerException ?? e; }
        var spec = _spec.ModelSpec();
        var theta = start.Model.ToArray();
        var thetaHash = ModelDigest(start.ModelHash);
        var outer = start.OuterState.Length == 0
            ? new OuterOptimizer(theta.Length, _spec.Outer())
            : OuterOptimizer.LoadState(start.OuterState, theta.Length, _spec.Outer());
        var sketcher = new ModelSketch(_spec.Seed, theta.Length);
        lock (_gate) _statusSketch = sketcher.Of(theta);
        using var evaluator = _ctx.EvalTask is null ? null : new LocalTrainer(spec, _spec.Seed, _ctx.EvalTask, _spec.Trainer(_ctx.Device));
        // The judge scores contributions on this node's own held-out batch (docs/runtime.md §3a); without one it judges
        // nothing and goes by the others' attestations.
        using var judge = _spec.JudgeSamples > 0 && _ctx.JudgeTask is { } judgeTask
            ? new LocalTrainer(spec, _spec.Seed, judgeTask, _spec.Trainer(_ctx.Device) with { MaxEvalSamples = _spec.JudgeSamples }) : null;
        var layout = GenesisModel.Describe(spec, _spec.Seed).Layout;
        var aggregate = new float[theta.Length];

        while (_book.OpenRound < (ulong)_spec.Rounds)
        {
            _stop.Token.ThrowIfCancellationRequested();
            var round = _book.OpenRound;
            if (TryCatchUp(spec.Canonical, layout) is { } adopted)
            {
                (theta, thetaHash, outer) = (adopted.Model.ToArray(), adopted.Hash, adopted.Outer);
                if (adopted.Round >= (ulong)_spec.Rounds && evaluator is not null)
                {
                    // The peers had finished: the adopted model is the run's final model.
                    var end = new JsonObject { ["round"] = adopted.Round - 1, ["contributors"] = 0, ["used"] = 0, ["rejected"] = 0, ["late"] = 0,
                        ["members"] = ActiveMembers(), ["model"] = Short(thetaHash), ["consensus_distance"] = 0.0,
                        ["bytes_sent"] = _ctx.Metrics.Get("frame_bytes_sent"), ["published_bytes"] = _ctx.Metrics.Get("training_contribution_bytes_published") };
                    FinalEvaluation(theta, end);
                    Report("round", end);
                }
                continue;
            }
            if (TryRepair(thetaHash, outer, spec.Canonical, layout) is { } repair)
                (theta, thetaHash, outer) = (repair.Model.ToArray(), repair.Hash, repair.Outer);
            if (TryAdoptRound(round, outer, sketcher, spec.Canonical, layout) is { } taken)
            {
                (theta, thetaHash, outer) = (taken.Model, taken.Hash, taken.Outer);
                Evaluate(evaluator, theta, round, taken.Line);
                Report("round", taken.Line);
                continue;
            }
            if (!ReadyToClose(round, out var wakeMs))
            {
                RoundWait(NextRoundWake(wakeMs));
                continue;
            }
            var inputs = _book.Close();
            var aggregateClock = System.Diagnostics.Stopwatch.StartNew();
            var (used, rejected, contributors, cited) = Aggregate(round, inputs, thetaHash, theta, aggregate, judge);
            if (used.Count > 0) outer.Apply(theta, aggregate);
            var baseHash = thetaHash;
            thetaHash = ModelDigest(ModelHasher.Compute(spec.Canonical, layout, theta));
            var outerState = outer.SaveState();
            var aggregateSeconds = aggregateClock.Elapsed.TotalSeconds;
            var ledgerClock = System.Diagnostics.Stopwatch.StartNew();
            lock (_gate)
            {
                // The training thread gets the result before the ledger and state fsyncs: they were most of the time
                // a synchronous round waited for. Its next contribution waits for this aggregation's entry
                // (RecordedBefore), so the log's order is unchanged.
                _results[round] = new RoundResult(round, theta.ToArray(), thetaHash, outerState);
                _results.Remove(round - AggregationPolicy.MaxLateRounds); // late contributions RoundBook still holds find their base
                _unrecorded = round;
            }
            _trainWake.Pulse();
            _ctx.Ledger.AppendOwn(_ctx.Identity.SigningKey, new AggregationBody
            {
                Round = round, BaseModel = baseHash.ToBytes(), Used = used, Rejected = rejected, ResultModel = thetaHash.ToBytes(),
                Judgements = cited,
            }, _ctx.Run);
            float[] residual;
            lock (_gate)
            {
                _unrecorded = null;
                residual = _residualSnapshot ?? new float[theta.Length];
            }
            _trainWake.Pulse(); // a contribution waiting in RecordedBefore goes on
            SaveState(round + 1, thetaHash, theta, outerState, residual);
            var ledgerSeconds = ledgerClock.Elapsed.TotalSeconds;
            var sketch = sketcher.Of(theta);
            var objectId = _ctx.Exchange?.Offer(ModelBytes(theta)) ?? default;
            // The outer state goes with the model: a node that takes this model takes it too (docs/runtime.md §6).
            var momentumId = _ctx.Exchange?.Offer(outerState) ?? default;
            lock (_gate)
            {
                // Older rounds can no longer be offered (RoundBook's window): forget what was kept for them.
                _announcedBases.RemoveWhere(b => b.Round + AggregationPolicy.MaxLateRounds < round);
                Announce(round + 1, thetaHash, objectId, momentumId);
                _statusSketch = sketch;
            }
            PublishStatus();
            var line = new JsonObject
            {
                ["round"] = round, ["contributors"] = contributors, ["used"] = used.Count, ["rejected"] = rejected.Count,
                ["late"] = inputs.Count(c => c.Round < round), ["members"] = ActiveMembers(),
                ["model"] = Short(thetaHash),
                ["consensus_distance"] = ConsensusDistance(round + 1, sketch),
                ["bytes_sent"] = _ctx.Metrics.Get("frame_bytes_sent"),
                ["published_bytes"] = _ctx.Metrics.Get("training_contribution_bytes_published"),
                // Where a round's time goes besides compute: decoding and averaging, the Aggregation entry and state
                // file (fsyncs), and the slowest arrival among the contributions used (author's entry time → here).
                ["aggregate_s"] = Math.Round(aggregateSeconds, 3), ["ledger_s"] = Math.Round(ledgerSeconds, 3),
                ["transfer_s"] = Math.Round(TransferSeconds(inputs, round), 3),
            };
            Evaluate(evaluator, theta, round, line);
            Report("round", line);
        }
        FinalAgreement(spec.Canonical, layout, theta, thetaHash, outer, evaluator is not null);
    }

    /// <summary>
    /// After the last round there is no next round to pull a diverged node back: for a few seconds the node keeps
    /// comparing its final model with the peers' and takes a larger group's, as <see cref="TryRepair"/> does mid-run.
    /// </summary>
    private void FinalAgreement(string canonical, ParameterLayout layout, float[] theta, Digest256 thetaHash, OuterOptimizer outer, bool evaluate)
    {
        var until = NowMs + (long)Math.Clamp(2 * _book.ComputeMs, 3000, 15_000);
        while (NowMs < until && !_stop.IsCancellationRequested)
        {
            // Everyone active has reported its final model and it is ours: nothing to wait for.
            int finished, same;
            lock (_gate)
            {
                var final = _peerStatus.Values.Where(p => p.Round == _book.OpenRound).ToList();
                (finished, same) = (final.Count, final.Count(p => p.ModelHash == thetaHash));
            }
            if (finished >= ActiveMembers() - 1 && same == finished) return;
            if (TryRepair(thetaHash, outer, canonical, layout) is { } repair)
            {
                (theta, thetaHash, outer) = (repair.Model.ToArray(), repair.Hash, repair.Outer);
                float[] residual;
                lock (_gate) residual = _residualSnapshot ?? new float[theta.Length];
                SaveState(repair.Round, thetaHash, theta, outer.SaveState(), residual);
                var line = new JsonObject
                {
                    ["round"] = repair.Round - 1, ["contributors"] = 0, ["used"] = 0, ["rejected"] = 0, ["late"] = 0, ["members"] = ActiveMembers(),
                    ["model"] = Short(thetaHash), ["consensus_distance"] = 0.0, ["repaired"] = true,
                    ["bytes_sent"] = _ctx.Metrics.Get("frame_bytes_sent"), ["published_bytes"] = _ctx.Metrics.Get("training_contribution_bytes_published"),
                };
                if (evaluate) FinalEvaluation(theta, line);
                Report("round", line);
            }
            RoundWait(Math.Min(until, NextRoundWake(double.PositiveInfinity)));
        }
    }

    /// <summary>The shared model's score after <paramref name="round"/> (a held-out subset), and after the last
    /// round the final score on the whole held-out set.</summary>
    private void Evaluate(LocalTrainer? evaluator, float[] theta, ulong round, JsonObject line)
    {
        if (evaluator is null) return;
        if (_spec.EvalSamples > 0)
        {
            evaluator.SetFlat(theta);
            var eval = evaluator.Evaluate();
            line["eval_loss"] = Math.Round(eval.Loss, 5);
            if (eval.Accuracy is { } acc) line["accuracy"] = Math.Round(acc, 5);
            if (eval.BitsPerByte is { } bpb) line["bits_per_byte"] = Math.Round(bpb, 5);
        }
        if (round + 1 == (ulong)_spec.Rounds) FinalEvaluation(theta, line);
    }

    /// <summary>The final model on the whole held-out set (per-round scores use a subset to stay cheap).</summary>
    private void FinalEvaluation(float[] theta, JsonObject line)
    {
        using var full = new LocalTrainer(_spec.ModelSpec(), _spec.Seed, _ctx.EvalTask!, _spec.Trainer(_ctx.Device) with { MaxEvalSamples = null });
        full.SetFlat(theta);
        var eval = full.Evaluate();
        line["final_eval_samples"] = eval.Samples;
        line["final_eval_loss"] = Math.Round(eval.Loss, 5);
        if (eval.Accuracy is { } acc) line["final_accuracy"] = Math.Round(acc, 5);
        if (eval.BitsPerByte is { } bpb) line["final_bits_per_byte"] = Math.Round(bpb, 5);
    }

    /// <summary>Whether the open round <paramref name="round"/> closes now: the engine's rules (RoundEngine.Decide,
    /// docs/runtime.md §3 step 6) with this node's view of its peers; counts and logs what it decided.</summary>
    /// <param name="wakeMs">When to decide again if nothing happens before (<see cref="CloseDecision.WakeMs"/>).</param>
    private bool ReadyToClose(ulong round, out double wakeMs)
    {
        wakeMs = double.PositiveInfinity; // not trained yet: the training thread's trained mark wakes the round thread
        if (_book.TrainedAt(round) is null) return false;
        var now = NowMs;
        // A round whose contributions a restart may have lost waits for the peers' result (TryAdoptRound), even with
        // a quorum in the book (its own contribution from before the restart is not there), up to RoundRules.StragglerSpans (4)
        // deadlines; past that, or with no live peer on it, the node closes it on its own book.
        var inputs = new CloseInputs(ActiveMembers(), Stragglers: 0, PeerOnRound: PeersCloseIt(round));
        var decision = _book.Decide(now, inputs);
        // Past the deadline, a node that is still alive and on this round is waited for, up to RoundRules.StragglerSpans (4)
        // deadlines: closing without it is what splits the models (the nodes that waited fold it into this round,
        // the others into the next), and a few seconds of start-up skew on a loaded machine was enough for that.
        // Counted only then: it is a pass over the peers' statuses.
        var stragglers = 0;
        if (decision.Reason == CloseReason.Deadline && (stragglers = Stragglers(round)) > 0)
            decision = _book.Decide(now, inputs with { Stragglers = stragglers });
        wakeMs = decision.WakeMs;
        if (decision.Round != round)
        {
            wakeMs = 0; // the open round moved (a catch-up): decide again at once
            return false;
        }
        switch (decision.Reason)
        {
            case CloseReason.WaitingForStragglers:
                if (decision.FirstStragglerWait) _ctx.Metrics.Increment("training_rounds_waited_for_stragglers");
                return false;
            case CloseReason.Deadline:
                _ctx.Metrics.Increment("training_rounds_closed_by_deadline");
                _ctx.Log.DeadlinePassed(round, decision.Have, decision.Need, stragglers);
                return true;
            default:
                return decision.Close;
        }
    }

    /// <summary>The round whose result the training thread may already use but whose Aggregation entry is not
    /// appended yet (null: none).</summary>
    private ulong? _unrecorded;

    /// <summary>Blocks until the Aggregation entry of <paramref name="round"/> is in the ledger, if it is being
    /// written: a contribution built on that result must come after it in this node's log.</summary>
    private void RecordedBefore(ulong round)
    {
        while (true)
        {
            lock (_gate) if (_unrecorded != round) return;
            _trainWake.Wait(null, _stop.Token); // pulsed once the entry is appended; throws if the node is stopping

        }
    }

    /// <summary>
    /// When the round thread must look again even if no message comes: the close decision's own time
    /// (<paramref name="decisionWakeMs"/>), a peer dropping out of the active or live window (a quorum then needs
    /// fewer, a straggler is no longer waited for), and the next time catch-up, repair or adoption may try again.
    /// Everything else that matters (contributions, Statuses, trained marks) pulses the thread.
    /// </summary>
    private double NextRoundWake(double decisionWakeMs)
    {
        var now = NowMs;
        var wake = decisionWakeMs;
        if (_ctx.Exchange is not null)
            foreach (var retry in (ReadOnlySpan<long>)[_nextCatchUpMs, _nextRepairMs, _nextAdoptMs])
                if (retry > now) wake = Math.Min(wake, retry);
        var active = _book.ActiveWindowMs;
        lock (_gate)
            foreach (var seen in _lastSeen.Values)
                foreach (var expiry in (ReadOnlySpan<long>)[seen + active + 1, seen + LiveWindowMs + 1])
                    if (expiry > now) wake = Math.Min(wake, expiry);
        return wake;
    }

    /// <summary>A Status within this window makes a node live: two status intervals and a second of slack.</summary>
    private const long LiveWindowMs = 2 * StatusIntervalMs + 1000;

    /// <summary>Peers heard from within <see cref="LiveWindowMs"/> whose last Status says they have not aggregated
    /// <paramref name="round"/> − 1 or <paramref name="round"/> yet, i.e. are training it, and whose contribution to
    /// it is not here. A node far behind (catching up) or past the round (it restarted and skips) is not waited for.</summary>
    private int Stragglers(ulong round)
    {
        var have = _book.AuthorSetFor(round);
        var now = NowMs;
        lock (_gate)
            return _peerStatus.Count(kv => kv.Key != _self
                && _lastSeen.TryGetValue(kv.Key, out var seen) && now - seen <= LiveWindowMs
                && kv.Value.Round + 1 >= round && kv.Value.Round <= round
                && !have.Contains(kv.Key));
    }

    /// <summary>Checks every input's base and decodes it, judges the round's own inputs (§3a), then hands the rest to
    /// the run's aggregation policy (norm outliers refused, the others weighted by samples). Returns the ledger's
    /// used/rejected lists, the number of distinct contributors and the attestations the judging cited.</summary>
    private (List<WeightedInput>, List<RejectedInput>, int, List<byte[]>) Aggregate(ulong round, IReadOnlyList<ReceivedContribution> inputs, Digest256 thetaHash,
        float[] theta, float[] aggregate, LocalTrainer? judge)
    {
        var n = theta.Length;
        var rejected = new List<RejectedInput>();
        var candidates = new List<(ReceivedContribution C, DeltaContribution D)>();
        foreach (var c in inputs)
        {
            if (!KnownBase(c, thetaHash))
            {
                rejected.Add(Refuse(c, RejectionReason.WrongBase, $"starts from model {Convert.ToHexStringLower(c.Body.BaseModel)[..16]}, which no node announced for round {c.Round}"));
                continue;
            }
            float[] values;
            try { values = DeltaDecoder.Decode(c.Delta, n); }
            catch (DeltaFormatException e)
            {
                rejected.Add(Refuse(c, RejectionReason.MalformedDelta, e.Message));
                continue;
            }
            candidates.Add((c, new DeltaContribution { ContributorId = c.Entry.Hash, Samples = (long)c.Body.Samples, Delta = values }));
        }
        var (excluded, cited) = JudgeRound(round, theta, [.. candidates.Where(x => x.C.Round == round).Select(x => new Judged(x.C, x.D.Delta))], judge);
        var byHash = candidates.ToDictionary(k => k.C.Hash, k => k.C, StringComparer.Ordinal);
        foreach (var x in excluded)
            rejected.Add(Refuse(byHash[x.Contribution], RejectionReason.JudgedHarmful, $"{x.Harmful} of the {x.Votes} judges that scored it found it harmful"));
        var judgedOut = excluded.Select(x => x.Contribution).ToHashSet(StringComparer.Ordinal);
        candidates.RemoveAll(k => judgedOut.Contains(k.C.Hash));
        var used = new List<WeightedInput>();
        if (candidates.Count > 0)
        {
            var report = _spec.Policy().Apply(candidates.Select(x => x.D).ToList(), aggregate);
            var byId = candidates.ToDictionary(x => EntryDigest(x.D.ContributorId), x => x.C);
            foreach (var r in report.Rejected)
                rejected.Add(Refuse(byId[EntryDigest(r.ContributorId)], r.Reason, r.Detail));
            foreach (var a in report.Accepted) used.Add(new WeightedInput(a.ContributorId, a.Weight));
        }
        _ctx.Metrics.Increment("training_rounds_aggregated");
        return (used, rejected, inputs.Select(c => c.Author).Distinct().Count(), cited);
    }

    /// <summary>A contributor id of the aggregation policy: the contribution's ledger entry hash.</summary>
    private static Digest256 EntryDigest(byte[] entryHash) => Digest256.FromBytes(entryHash, "an entry hash");

    /// <summary>The longest a contribution of <paramref name="round"/> from a peer took from its author's ledger entry
    /// to this node (0 when there was none).</summary>
    private double TransferSeconds(IReadOnlyList<ReceivedContribution> inputs, ulong round) =>
        inputs.Where(c => c.Round == round && c.Author != _self).Select(c => (c.ArrivedMs - c.Entry.Entry.TimeMs) / 1000.0).DefaultIfEmpty(0).Max();

    private RejectedInput Refuse(ReceivedContribution c, RejectionReason reason, string detail)
    {
        Reject(c.Author, reason.Code(), $"round {c.Round}: {detail}");
        return new RejectedInput(c.Entry.Hash, reason.Code());
    }

    /// <summary>A contribution must start from a model some node had for its round: ours, or one announced.</summary>
    private bool KnownBase(ReceivedContribution c, Digest256 thetaHash)
    {
        var baseModel = ModelDigest(c.Body.BaseModel);
        lock (_gate)
        {
            if (c.Round == 0) return baseModel == _initialModel;
            if (_results.TryGetValue(c.Round - 1, out var r) && r.Hash == baseModel) return true;
            if (c.Round == _book.OpenRound && thetaHash == baseModel) return true;
            return _announcedBases.Contains((c.Round, baseModel));
        }
    }

    /// <summary>Largest relative distance between this node's model and a peer's, over peers at the same round.</summary>
    private double ConsensusDistance(ulong round, float[] sketch)
    {
        lock (_gate)
        {
            var peers = _peerStatus.Values.Where(p => p.Round == round).ToList();
            return peers.Count == 0 ? 0 : Math.Round(peers.Max(p => ModelSketch.RelativeDistance(sketch, p.Sketch)), 6);
        }
    }
}
