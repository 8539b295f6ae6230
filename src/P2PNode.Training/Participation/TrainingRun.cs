using Microsoft.Extensions.Logging;
using P2PNode.Hosting;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Metrics;
using P2PNode.Overlay;
using P2PNode.Peers.Scoring;
using P2PNode.Training.Data;
using P2PNode.Training.Runtime;
using P2PNode.Training.Simulation;
using P2PNode.Training.Trainer;
using P2PNode.Transfer;

namespace P2PNode.Training.Participation;

/// <summary>
/// A node's part in a training run, run by <see cref="NodeBuilder"/> as the service of the run's topic: waits until the
/// ledger (replicated from peers) holds the run's genesis, joins the run (Join entry), loads this node's shard and runs a
/// <see cref="TrainingNode"/>, with models served over content transfer. Progress goes to the node's output as JSON
/// lines (one object per line, starting with '{'; docs/runtime.md §8). Needs the node's ledger (<see cref="NodeOptions.Ledger"/>).
/// </summary>
public sealed class TrainingRun(TrainingRunOptions options) : ITopicService
{
    private readonly RunTopicValidator _validator = new(options.Topic);

    public string Topic => options.Topic;
    public IGossipValidator Validator => _validator;

    /// <summary>Appends this node's Join entry for <paramref name="run"/> unless the ledger already holds one.</summary>
    public static void EnsureJoined(LedgerStore ledger, NodeIdentity identity, byte[] run, string displayName, string agent)
    {
        foreach (var e in ledger.AllEntries(identity.PublicKey))
            if (e.Kind == EntryKind.Join && e.Entry.Run.AsSpan().SequenceEqual(run)) return;
        ledger.AppendOwn(identity.SigningKey, new JoinBody
        {
            NodeId = identity.PeerId.ToString(), DisplayName = displayName, Organisation = "",
            Hardware = $"{Environment.ProcessorCount} cpu", SoftwareVersion = agent,
        }, run);
    }

    public async Task<int?> RunAsync(RunningNode node, CancellationToken ct)
    {
        var (ledger, sync) = (node.Ledger, node.LedgerSync) is ({ } l, { } s) ? (l, s)
            : throw new InvalidOperationException("a training run needs the node's ledger (NodeOptions.Ledger = true)");
        var (log, metrics, identity, dataDir) = (node.Log, node.Metrics, node.Identity, node.Config.Node.DataDir);
        await using var transfer = new TransferService(node.Host, new MemoryChunkStore(), new TransferOptions(), log);
        transfer.OffenceDetected += (peer, offence) => node.ReportOffence(peer, offence, offence.ToString());
        try
        {
            var genesis = await WaitForGenesisAsync(ledger, options, log, ct);
            var spec = RunSpec.FromJson(genesis.Hyperparameters);
            if (genesis.Model != spec.ModelSpec().Canonical)
                throw new InvalidDataException($"run genesis names model '{genesis.Model}' but its hyperparameters give '{spec.ModelSpec().Canonical}'");
            EnsureJoined(ledger, identity, options.Run, options.DisplayName, node.Agent);
            sync.AnnounceNow();
            if (options.Byzantine is { } attack) log.RunningAsAttacker(Byzantine.AttackModes.Name(attack));
            var (trainTask, evalTask, judgeTask) = LoadData(spec, options, node.Config.Training, dataDir);
            log.TrainingStarts(options.RunHex[..16], spec, options.ShardIndex, options.ShardCount, options.Split, trainTask.EpochSamples);
            using var training = new TrainingNode(new RunContext
            {
                Spec = spec, Run = options.Run, InitialModel = genesis.InitialModel, Identity = identity, Ledger = ledger,
                TrainTask = trainTask, EvalTask = evalTask, JudgeTask = judgeTask, DataDir = dataDir,
                Publish = payload => node.Overlay.Publish(options.Topic, payload), KeepEntry = sync.Keep, Metrics = metrics, Log = log,
                Exchange = new TransferModelExchange(transfer),
                Progress = line => node.Say(line.ToJsonString()),
                FailAtRound = options.FailAtRound,
                Attacker = options.Byzantine is { } mode ? new Byzantine.Attacker(mode, spec.Seed, options.ShardIndex) : null,
                Device = options.Lm?.Device ?? node.Config.Training.Device,
            });
            // Offences found at aggregation (a delta that does not decode) lower the author's score; messages the
            // validator rejected were already scored by the overlay, and round-rule refusals (wrong base, norm
            // outlier, NaN) are no offence at all (Refusals).
            training.ContributionRejected += (author, reason) =>
            {
                if (Refusals.ScoredByRuntime(reason)) node.ReportOffence(author, Offence.InvalidMessage, "refused contribution: " + reason);
            };
            _validator.Attach(training);
            await training.RunAsync(ct);
            sync.AnnounceNow();
            node.Say(DoneLine(training, identity, metrics));
            if (options.ExitWhenDone) return 0;
            await Task.Delay(Timeout.Infinite, ct); // keep serving models and the ledger until the node stops
            return null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return null; }
        catch (Exception e)
        {
            // Whatever stopped training (bad data, a diverged model, a libtorch error), the node says why and exits with
            // status 1 so a supervisor (systemd, the swarm) restarts it; the ledger and the state file were only ever
            // written whole (SQLite transactions, state.bin renamed into place), so the restart resumes from them.
            var reason = e is InvalidOperationException { InnerException: { } inner } && e.Message.StartsWith("training node failed", StringComparison.Ordinal)
                ? $"{e.Message} ({inner.GetType().Name})" : $"{e.Message} ({e.GetType().Name})";
            log.TrainingStopped(e, reason);
            node.Say(new System.Text.Json.Nodes.JsonObject { ["event"] = "failed", ["reason"] = reason }.ToJsonString());
            return 1;
        }
    }

    private static string DoneLine(TrainingNode node, NodeIdentity identity, NodeMetrics metrics) => new System.Text.Json.Nodes.JsonObject
    {
        ["event"] = "done", ["node"] = identity.PeerId.ToString(), ["rounds"] = node.RoundsDone,
        ["bytes_sent"] = metrics.Get("frame_bytes_sent"), ["published_bytes"] = metrics.Get("training_contribution_bytes_published"),
        ["peak_rss_bytes"] = ProcessMemory.PeakResidentBytes(),
        // CPU per contribution (docs/results.md §8, "Contribution hot path"): the process's CPU time, and how much
        // of it the training and round threads took; the rest is the network side.
        ["cpu_s"] = Math.Round(ProcessCpu.TotalSeconds(), 3),
        ["training_cpu_s"] = node.ThreadCpuSeconds.GetValueOrDefault("training"), ["rounds_cpu_s"] = node.ThreadCpuSeconds.GetValueOrDefault("rounds"),
        ["contributions_published"] = metrics.Get("training_contributions_published"),
        ["contributions_received"] = metrics.Get("training_contributions_received"),
        ["bytes_sent_gossip"] = metrics.Get("frame_bytes_sent_gossip"), ["bytes_sent_ledger"] = metrics.Get("frame_bytes_sent_ledger"),
    }.ToJsonString();

    private static async Task<RunGenesisBody> WaitForGenesisAsync(LedgerStore ledger, TrainingRunOptions flags, ILogger log, CancellationToken ct)
    {
        var logged = false;
        while (true)
        {
            if (ledger.GetByHash(flags.Run) is { } e)
                return e.Entry.Body as RunGenesisBody ?? throw new InvalidDataException($"entry {flags.RunHex[..16]} is a {EntryKinds.Name(e.Kind)}, not a run genesis");
            if (!logged) log.WaitingForGenesis(flags.RunHex[..16]);
            logged = true;
            await Task.Delay(200, ct);
        }
    }

    /// <summary>This node's training data, the held-out data the shared model is scored on, and its own held-out data it
    /// judges contributions on (docs/runtime.md §3a): for a classifier the held-out part of its own shard, never
    /// trained on (the run's test set is the same for every node, and a judge must judge on its own data); for a
    /// language model its text's held-out tail.</summary>
    private static (TrainingTask Train, TrainingTask Eval, TrainingTask Judge) LoadData(RunSpec spec, TrainingRunOptions flags, Config.TrainingSection config, string dataDir)
    {
        if (!spec.ModelSpec().IsClassifier)
        {
            if (flags.Byzantine == Byzantine.AttackMode.LabelFlip)
                throw new InvalidOperationException("--byzantine labelflip needs a classifier (cnn or mlp): a language model has no labels to flip");
            // The language model: this node's own text (e.g. one language), its tail held out for bits per byte. The
            // tokenizer must hash to what the genesis pins, or the node refuses the run.
            var task = LanguageModelData.Load(spec.ModelSpec(), (flags.Lm ?? new LmDataOptions()).With(flags.Corpus, config), spec.Seed * 1000 + flags.ShardIndex,
                Path.Combine(dataDir, "tokens"));
            return (task, task, task);
        }
        var train = FashionMnist.Load("train", flags.DataDir);
        if (flags.Byzantine == Byzantine.AttackMode.LabelFlip) train = Byzantine.Attacker.FlipLabels(train);
        var test = FashionMnist.Load("t10k", flags.DataDir);
        // The split is deterministic from the run seed, so N nodes given shards 0..N-1 hold disjoint parts.
        var shard = flags.Split.Partition(train.Labels, train.Classes, flags.ShardCount, spec.Seed)[flags.ShardIndex];
        var dataSeed = spec.Seed * 1000 + flags.ShardIndex;
        var testIndices = Enumerable.Range(0, test.Count).ToArray();
        return (new ClassificationTask(train, shard.Train, test, testIndices, dataSeed),
            new ClassificationTask(test, testIndices, test, testIndices, spec.Seed),
            new ClassificationTask(train, shard.Train, train, shard.HeldOut, dataSeed));
    }
}
