using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using P2PNode.Compression;
using P2PNode.Hashing;
using P2PNode.Ledger.Entries;
using P2PNode.Training.State;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Runtime;

public sealed partial class TrainingNode
{
    // The state the training thread starts from, handed to the round thread (which aggregates from it).
    private readonly TaskCompletionSource<NodeState> _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The training thread. Round r trains from the result of round r−1; it starts before that result exists
    /// (from where round r−1 ended) and takes it in as soon as it arrives: the local model moves by
    /// result − (own end of round r−1), keeping the steps already taken. It only waits when the result is
    /// later than a whole round of computation.
    /// </summary>
    private void TrainLoop()
    {
        TorchSharp.torch.set_num_threads(1);
        using var trainer = new LocalTrainer(_spec.ModelSpec(), _spec.Seed, _ctx.TrainTask, _spec.Trainer(_ctx.Device));
        var n = checked((int)trainer.ParameterCount);
        var canonical = _spec.ModelSpec().Canonical;
        var encoder = new DeltaEncoder(_spec.CodecSpec());
        var residual = new ErrorFeedback(n);
        var start = LoadOrInitialState(trainer, residual);
        var round = start.Round;
        var baseModel = start.Model;
        var baseHash = ModelDigest(start.ModelHash);
        var lastOwn = LastOwnContributionRound();
        trainer.SetFlat(baseModel);
        lock (_gate) Announce(round, baseHash, null);
        if (round == 0 && _book.OpenRound == 0) WaitForMembers(); // min_nodes gates the start of a run, not a restart

        float[]? pendingEnd = null;
        var delta = new float[n];
        while (round < (ulong)_spec.Rounds)
        {
            if (_ctx.FailAtRound is { } failAt && round == (ulong)failAt)
                throw new InvalidOperationException($"injected failure at round {round} (--fail-at-round)");
            var clock = Stopwatch.StartNew();
            double waitSeconds = 0, lossBefore = double.NaN, lossAfter = double.NaN, firstLossSum = 0;
            var firstSteps = 0;
            long samples = 0;
            var adopted = false;
            // Synchronous rounds: round r+1 starts from round r's result, never from a stale model. (null: an
            // adoption arrived while waiting, and the first step of the loop below takes it.)
            if (!_spec.Overlap && pendingEnd is not null && TimedWait(round - 1, ref waitSeconds) is { } first)
                (baseModel, baseHash, pendingEnd) = Rebase(trainer, first, pendingEnd);
            for (var done = 0; done < _spec.InnerSteps && !adopted;)
            {
                _stop.Token.ThrowIfCancellationRequested();
                if (TakeAdoption(round) is { } a)
                {
                    // Caught up with the peers: their model for a later round replaces ours; this round restarts there.
                    trainer.SetFlat(a.Model);
                    (baseModel, baseHash, pendingEnd, round, adopted) = (a.Model, a.Hash, null, a.Round, true);
                    break;
                }
                if (pendingEnd is not null && TryTakeResult(round - 1, out var early))
                    (baseModel, baseHash, pendingEnd) = Rebase(trainer, early, pendingEnd);
                if (pendingEnd is null && TakeRepair(trainer, round, baseModel, baseHash) is { } repaired)
                    (baseModel, baseHash) = repaired;
                var steps = Math.Min(_ctx.ChunkSteps, _spec.InnerSteps - done);
                var stats = trainer.TrainSteps(steps);
                if (done < LossBeforeSteps)
                {
                    // loss_before: the mean over the round's first LossBeforeSteps steps, however they were chunked.
                    firstLossSum += stats.MeanLoss * stats.Steps;
                    firstSteps += stats.Steps;
                    lossBefore = firstLossSum / firstSteps;
                }
                lossAfter = stats.LastLoss;
                samples += stats.Samples;
                done += steps;
            }
            if (adopted) continue;
            if (pendingEnd is not null)
            {
                if (TimedWait(round - 1, ref waitSeconds) is not { } result) continue; // an adoption arrived: take it at the top
                (baseModel, baseHash, pendingEnd) = Rebase(trainer, result, pendingEnd);
            }
            var computeSeconds = clock.Elapsed.TotalSeconds - waitSeconds;
            _book.RecordCompute(computeSeconds);
            Interlocked.Add(ref _stepsDone, _spec.InnerSteps);

            var encodeClock = Stopwatch.StartNew();
            var local = trainer.GetFlat();
            for (var i = 0; i < n; i++) delta[i] = baseModel[i] - local[i];
            var claimed = samples;
            if (_ctx.Attacker is { } attacker) (delta, claimed) = Lie(attacker, round, delta, samples);
            var payload = encoder.Encode(delta, residual);
            var encodeSeconds = encodeClock.Elapsed.TotalSeconds;
            lock (_gate) _residualSnapshot = residual.Values.ToArray();
            var already = lastOwn is { } last && round <= last;
            if (already)
            {
                // Restarted after contributing to this round: the earlier contribution stands (one per round).
                _ctx.Log.AlreadyContributed(round);
            }
            var ledgerSeconds = 0.0;
            if (!already)
            {
                var ledgerClock = Stopwatch.StartNew();
                Contribute(round, baseHash, payload, claimed, lossBefore, lossAfter, computeSeconds);
                ledgerSeconds = ledgerClock.Elapsed.TotalSeconds; // append + fsync + broadcast hand-off
            }
            _book.Trained(round, NowMs);
            _roundWake.Pulse();
            Report("trained", new JsonObject
            {
                ["round"] = round, ["samples"] = samples, ["loss"] = lossAfter, ["compute_s"] = Math.Round(computeSeconds, 3),
                ["wait_s"] = Math.Round(waitSeconds, 3), ["encode_s"] = Math.Round(encodeSeconds, 3), ["contribute_s"] = Math.Round(ledgerSeconds, 3),
                ["payload_bytes"] = payload.Length, ["contributed"] = !already,
                ["samples_per_s"] = Math.Round(samples / Math.Max(1e-9, computeSeconds), 1),
            });
            pendingEnd = local;
            round++;
        }
        // The last round's result ends the run for this node.
        if (pendingEnd is not null && WaitForResult(round - 1) is { } final) Rebase(trainer, final, pendingEnd);
    }

    /// <summary>A contribution's loss_before is the mean loss of the round's first this many steps.</summary>
    private const int LossBeforeSteps = 5;

    private void Contribute(ulong round, Digest256 baseHash, byte[] payload, long samples, double lossBefore, double lossAfter, double computeSeconds)
    {
        if (round > 0) RecordedBefore(round - 1);
        var entry = _ctx.Ledger.AppendOwn(_ctx.Identity.SigningKey, new ContributionBody
        {
            Round = round, BaseModel = baseHash.ToBytes(), PayloadHash = SHA256.HashData(payload), PayloadSize = (ulong)payload.Length,
            Samples = (ulong)samples, InnerSteps = (uint)_spec.InnerSteps, LossBefore = lossBefore, LossAfter = lossAfter,
            ComputeSeconds = computeSeconds,
        }, _ctx.Run);
        var message = RunMessage.EncodeContribution(entry, payload);
        _book.Offer(new ReceivedContribution(entry, (ContributionBody)entry.Entry.Body, payload));
        _ctx.Metrics.Increment("training_contribution_bytes_published", message.Length);
        _ctx.Metrics.Increment("training_contributions_published");
        _ctx.Publish(message);
    }

    private static (float[] Model, Digest256 Hash, float[]? Pending) Rebase(LocalTrainer trainer, RoundResult result, float[] ownEnd)
    {
        var current = trainer.GetFlat();
        for (var i = 0; i < current.Length; i++) current[i] += result.Model[i] - ownEnd[i];
        trainer.SetFlat(current);
        return (result.Model, result.Hash, null);
    }

    private bool TryTakeResult(ulong round, out RoundResult result)
    {
        lock (_gate) return _results.TryGetValue(round, out result!);
    }

    /// <summary><see cref="WaitForResult"/>, adding the time it took to <paramref name="waitSeconds"/> (a round's
    /// wait_s, which the throughput figures include).</summary>
    private RoundResult? TimedWait(ulong round, ref double waitSeconds)
    {
        var waited = Stopwatch.StartNew();
        var result = WaitForResult(round);
        waitSeconds += waited.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>Waits for the result of <paramref name="round"/>; null when an adoption is pending instead.</summary>
    private RoundResult? WaitForResult(ulong round)
    {
        while (true)
        {
            if (TryTakeResult(round, out var r)) return r;
            lock (_gate) if (_adoption is not null) return null;
            _trainWake.Wait(null, _stop.Token); // the round thread pulses it with each result and adoption

        }
    }

    private void WaitForMembers()
    {
        var logged = false;
        while (ActiveMembers() is var members && members < _spec.MinNodes)
        {
            if (!logged) _ctx.Log.WaitingForMembers(_spec.MinNodes, members);
            logged = true;
            _trainWake.Wait(null, _stop.Token); // each Status pulses it

        }
    }

    /// <summary>The state to start from: the node's own saved state, or round 0 from the genesis model (checked).</summary>
    private NodeState LoadOrInitialState(LocalTrainer trainer, ErrorFeedback residual)
    {
        var n = checked((int)trainer.ParameterCount);
        var saved = NodeState.Load(_statePath, n);
        if (saved is not null)
        {
            saved.Residual.CopyTo(residual.Values);
            _ctx.Log.Resuming(saved.Round, _statePath, Convert.ToHexStringLower(saved.ModelHash)[..16]);
            Report("resumed", new JsonObject { ["round"] = saved.Round });
            _book.Restart(saved.Round); // the rounds in progress are adopted from the peers (RoundBook.Restart)
            _resumed.TrySetResult(saved);
            return saved;
        }
        var hash = ModelDigest(trainer.ModelHash());
        if (hash != _initialModel)
            throw new InvalidOperationException($"this node's initial model {Short(hash)} is not the run's genesis model {Short(_initialModel)} (different model or seed)");
        var state = new NodeState(0, hash.ToBytes(), trainer.GetFlat(), [], new float[n], 0);
        _resumed.TrySetResult(state);
        return state;
    }

    /// <summary>The last round this node contributed to in this run, from its own log (null: none yet).</summary>
    private ulong? LastOwnContributionRound()
    {
        ulong? last = null;
        foreach (var e in _ctx.Ledger.AllEntries(_ctx.Identity.PublicKey))
            if (e.Entry.Body is ContributionBody c && e.Entry.Run.AsSpan().SequenceEqual(_ctx.Run)) last = Math.Max(last ?? 0, c.Round);
        return last;
    }
}
