using System.Buffers.Binary;
using System.Diagnostics;
using P2PNode.Aggregation;
using P2PNode.Compression;
using P2PNode.Rounds;
using P2PNode.Training.Byzantine;
using P2PNode.Training.Data;
using P2PNode.Training.State;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Simulation;

/// <summary>
/// DiLoCo with N workers in one process and no network: what the swarm does, minus the transport, so the effect
/// of H, the codec and the data split on accuracy and bytes can be measured cheaply. Workers run one after
/// another on the calling thread (the total work is the same as in parallel, and it keeps one torch thread
/// pool busy instead of N fighting over the cores).
///
/// Each round r: every worker w sets its model to θr, runs H AdamW steps on its shard, forms Δw = θr − θlocal,
/// encodes it with its own <see cref="ErrorFeedback"/> residual (<see cref="DeltaEncoder"/>), and "sends" the
/// payload. Every payload is decoded (<see cref="DeltaDecoder"/>) and offered to one <see cref="RoundEngine{T}"/>, the
/// engine the node closes its rounds with (author = worker index as 4 digits, so its canonical order is worker order);
/// the round closes there on a full quorum, and its inputs, in the engine's order, are combined by the
/// <see cref="AggregationPolicy"/> of the options, the type the runtime aggregates with, weighted by the samples each
/// worker processed this round; <see cref="OuterOptimizer"/> turns the result into θr+1. There is no virtual time and
/// every worker contributes every round, so no round waits for a deadline and none has late inputs.
/// </summary>
public static class DilocoSimulation
{
    /// <summary>Runs the simulation. Call from one thread (torch dispose scopes are thread-static).</summary>
    /// <param name="log">Progress lines (one per evaluated round), or null.</param>
    /// <param name="onPayload">Sees every payload as sent, in round then worker order, or null.</param>
    public static DilocoResult Run(LabeledDataset train, LabeledDataset test, DilocoOptions options, Action<string>? log = null,
        Action<DilocoPayload>? onPayload = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var shards = options.Split.Partition(train.Labels, train.Classes, options.Workers, options.Seed);
        var shardTrain = shards.Select((s, w) => Cap(s.Train, options.SamplesPerWorker, options.Seed, w)).ToArray();

        var workers = new List<LocalTrainer>(options.Workers);
        LocalTrainer? evaluator = null;
        try
        {
            var trainerOptions = options.WorkerTrainerOptions();
            for (var w = 0; w < options.Workers; w++)
            {
                // Held-out part of the shard is unused here (θ is scored on the shared test set), but a task needs one.
                var data = options.Byzantine.TryGetValue(w, out var mode) && mode == AttackMode.LabelFlip ? Attacker.FlipLabels(train) : train;
                var task = new ClassificationTask(data, shardTrain[w], shards[w].HeldOut, options.Seed + w);
                workers.Add(new LocalTrainer(options.Model, options.Seed, task, trainerOptions));
            }
            evaluator = new LocalTrainer(options.Model, options.Seed, ClassificationTask.Centralized(test, test, options.Seed),
                new TrainerOptions { Device = options.Device });
            // Judges score on the first held-out samples of their own shard, with the true labels (a label flipper's
            // judging is dishonest anyway).
            var judgeData = options.Judge is { } judge
                ? shards.Select((s, w) => (TrainingTask)new ClassificationTask(train, shardTrain[w], s.HeldOut.Take(judge.Samples).ToArray(), options.Seed + w)).ToList()
                : [];
            return Loop(options, workers, evaluator, shardTrain, judgeData, log, onPayload, clock);
        }
        finally
        {
            foreach (var t in workers) t.Dispose();
            evaluator?.Dispose();
        }
    }

    private static DilocoResult Loop(DilocoOptions options, List<LocalTrainer> workers, LocalTrainer evaluator, int[][] shardTrain,
        List<TrainingTask> judgeData, Action<string>? log, Action<DilocoPayload>? onPayload, Stopwatch clock)
    {
        var n = checked((int)workers[0].ParameterCount);
        var layout = workers[0].Layout;
        var canonical = options.Model.Canonical;
        var theta = workers[0].GetFlat(); // every trainer starts from ModelFactory.Create(spec, seed): identical θ0
        var outer = new OuterOptimizer(n, options.Outer);
        var encoder = new DeltaEncoder(options.Codec);
        var residuals = workers.Select(_ => new ErrorFeedback(n)).ToArray();
        var attackers = options.Byzantine.ToDictionary(a => a.Key, a => new Attacker(a.Value, options.Seed, a.Key));
        var bytes = new long[workers.Count];
        var delta = new float[n];
        var aggregate = new float[n];
        var rounds = new List<DilocoRound>(options.Rounds);
        var engine = new RoundEngine<DeltaContribution>();
        engine.Reset(1); // the simulator's rounds are 1-based
        long totalSamples = 0;
        EvalStats? last = null;

        for (var r = 1; r <= options.Rounds; r++)
        {
            double lossSum = 0;
            long roundSamples = 0, roundBytes = 0;
            // Honest workers first, then the attackers: a copier or colluder lies with the honest deltas of the round.
            var honest = new List<ReadOnlyMemory<float>>();
            var sentDeltas = new Dictionary<int, ReadOnlyMemory<float>>();
            foreach (var w in Enumerable.Range(0, workers.Count).OrderBy(w => attackers.ContainsKey(w) ? 1 : 0))
            {
                var stats = Train(workers[w], theta, options.InnerSteps, delta);
                var (sent, claimed) = attackers.TryGetValue(w, out var attacker) ? attacker.Lie(delta, stats.Samples, honest) : (delta, stats.Samples);
                var (payload, contribution) = Send(w, sent, claimed, encoder, residuals[w]);
                if (attacker is null) honest.Add(contribution.Delta);
                sentDeltas[w] = contribution.Delta;
                bytes[w] += payload.Length;
                roundBytes += payload.Length;
                onPayload?.Invoke(new DilocoPayload(r, w, claimed, payload));
                Offer(engine, r, w, contribution);
                lossSum += stats.MeanLoss * stats.Samples;
                roundSamples += stats.Samples;
            }
            totalSamples += roundSamples;
            var inputs = CloseRound(engine, r, workers.Count);
            JudgedRound? judged = null;
            if (options.Judge is { } judge)
            {
                judged = Judging.Judge(workers, judgeData, theta, sentDeltas, attackers.Keys.ToHashSet(), judge.StepScale);
                inputs = [.. inputs.Where(c => !judged.Excluded.Contains(BinaryPrimitives.ReadInt32BigEndian(c.ContributorId)))];
            }
            var cosines = inputs.Count >= 3 ? AggregationPolicy.CosinesToOthers(inputs) : [];
            var report = options.Aggregation.Apply(inputs, aggregate); // all judged out: an all-zero aggregate
            outer.Apply(theta, aggregate, options.OuterLearningRateAt(r));
            var hash = Convert.ToHexStringLower(ModelHasher.Compute(canonical, layout, theta));
            double? testLoss = null, testAccuracy = null;
            if (r == options.Rounds || (options.EvalEvery > 0 && r % options.EvalEvery == 0))
            {
                evaluator.SetFlat(theta);
                last = evaluator.Evaluate();
                (testLoss, testAccuracy) = (last.Loss, last.Accuracy);
                log?.Invoke(FormattableString.Invariant(
                    $"round {r}/{options.Rounds}: train loss {lossSum / roundSamples:0.0000}, test loss {last.Loss:0.0000}, test accuracy {last.Accuracy * 100:0.00}%, {clock.Elapsed.TotalSeconds:0}s"));
            }
            rounds.Add(new DilocoRound(r, lossSum / roundSamples, roundBytes, hash, testLoss, testAccuracy, report.Rejected, judged)
            {
                Cosines = inputs.Zip(cosines).ToDictionary(x => BinaryPrimitives.ReadInt32BigEndian(x.First.ContributorId), x => x.Second),
            });
        }

        return new DilocoResult
        {
            Parameters = n,
            Workers = workers.Count,
            ShardSizes = shardTrain.Select(s => s.Length).ToArray(),
            BytesSentPerWorker = bytes,
            TotalSamples = totalSamples,
            StepsPerWorker = (long)options.InnerSteps * options.Rounds,
            TestLoss = last!.Loss,
            TestAccuracy = last.Accuracy ?? double.NaN,
            ModelHash = rounds[^1].ModelHash,
            Rounds = rounds,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Author of worker w in the round engine: its index as 4 digits, so the engine's ordinal author order is
    /// worker order (<see cref="DilocoOptions.Validate"/> keeps the workers within 9999).</summary>
    private static string Author(int worker) => worker.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    // Files worker w's contribution to round r; its entry hash only has to be unique (one per worker and round).
    internal static void Offer(RoundEngine<DeltaContribution> engine, int round, int worker, DeltaContribution contribution)
    {
        var author = Author(worker);
        var offer = engine.Offer((ulong)round, author, $"sim/{round}/{author}", contribution);
        if (offer != RoundOffer.Accepted) throw new InvalidOperationException($"round {round}: the round engine refused worker {worker}'s contribution: {offer}");
    }

    // Every worker has trained and offered round r: the engine decides (at virtual time 0, so only a full quorum of
    // the workers closes it) and closes it, returning its inputs in canonical order (worker order, no late ones).
    internal static IReadOnlyList<DeltaContribution> CloseRound(RoundEngine<DeltaContribution> engine, int round, int workers)
    {
        engine.Trained((ulong)round, 0);
        var decision = engine.Decide(0, new CloseInputs(ActiveMembers: workers));
        if (decision.Reason != CloseReason.Quorum)
            throw new InvalidOperationException($"round {round}: the round engine did not close it on quorum: {decision.Reason} ({decision.Have}/{decision.Need})");
        var closed = engine.Close();
        if (closed.Round != (ulong)round || closed.Late != 0 || closed.Inputs.Count != workers)
            throw new InvalidOperationException($"round {round}: the round engine closed round {closed.Round} with {closed.Inputs.Count} inputs, {closed.Late} late");
        return closed.Inputs;
    }

    /// <summary>
    /// One worker's part of a round: H inner steps from θ, the pseudo-gradient encoded with the worker's residual, and
    /// what a receiver makes of the payload (decoded from the bytes, never the sender's floats).
    /// </summary>
    internal static (StepStats Stats, byte[] Payload, DeltaContribution Contribution) TrainWorker(LocalTrainer trainer, int worker, float[] theta,
        int innerSteps, DeltaEncoder encoder, ErrorFeedback residual, float[] delta)
    {
        var stats = Train(trainer, theta, innerSteps, delta);
        var (payload, contribution) = Send(worker, delta, stats.Samples, encoder, residual);
        return (stats, payload, contribution);
    }

    // H inner steps from θ; delta = θ − θlocal.
    private static StepStats Train(LocalTrainer trainer, float[] theta, int innerSteps, float[] delta)
    {
        trainer.SetFlat(theta);
        var stats = trainer.TrainSteps(innerSteps);
        var local = trainer.GetFlat();
        for (var i = 0; i < delta.Length; i++) delta[i] = theta[i] - local[i];
        return stats;
    }

    // The payload a worker sends for delta, and what a receiver decodes from it.
    private static (byte[] Payload, DeltaContribution Contribution) Send(int worker, float[] delta, long samples, DeltaEncoder encoder, ErrorFeedback residual)
    {
        var payload = encoder.Encode(delta, residual);
        return (payload, new DeltaContribution { ContributorId = WorkerId(worker), Samples = samples, Delta = DeltaDecoder.Decode(payload, delta.Length) });
    }

    /// <summary>Contributor id of worker w: its index as 4 big-endian bytes, so the canonical order is worker order.</summary>
    public static byte[] WorkerId(int worker)
    {
        var id = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(id, worker);
        return id;
    }

    private static int[] Cap(int[] train, int? max, long seed, int worker)
    {
        if (max is not { } m || train.Length <= m) return train;
        var copy = (int[])train.Clone();
        DeterministicRng.ForPurpose(seed, $"sim/subset/{worker}").Shuffle(copy.AsSpan());
        var kept = copy[..m];
        Array.Sort(kept);
        return kept;
    }
}
