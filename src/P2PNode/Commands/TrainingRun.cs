using System.Globalization;
using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Ledger.Sync;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Overlay;
using P2PNode.Training.Data;
using P2PNode.Training.Runtime;
using P2PNode.Training.Simulation;
using P2PNode.Training.Trainer;
using P2PNode.Transfer;

namespace P2PNode.Cli.Commands;

/// <summary>The training flags of `p2pnode run --run ID [--shard I/N] [--split S] [--data DIR] [--exit-when-done]`.</summary>
internal sealed record TrainingFlags(byte[] Run, int ShardIndex, int ShardCount, DataSplit Split, string? DataDir, bool ExitWhenDone, string DisplayName,
    string? Corpus = null, int? FailAtRound = null, LmDataFlags? Lm = null)
{
    public string RunHex => Convert.ToHexStringLower(Run);

    /// <summary>The run's gossip topic: one per run.</summary>
    public string Topic => "run/" + RunHex[..16];

    public static TrainingFlags? Read(Args a)
    {
        var run = a.Get("run");
        var shard = a.Get("shard");
        var split = a.Get("split");
        var data = a.Get("data");
        var exit = a.Flag("exit-when-done");
        var name = a.Get("name");
        var corpus = a.Get("corpus");
        var failAt = a.GetInt("fail-at-round", 0);
        var lm = LmDataFlags.Read(a);
        if (run is null)
        {
            if (shard is not null || split is not null || data is not null || exit || name is not null || corpus is not null || failAt is not null || lm is not null)
                throw new UsageException("--shard, --split, --data, --corpus (and the other corpus flags), --name and --exit-when-done need --run <run id>");
            return null;
        }
        byte[] id;
        try { id = Convert.FromHexString(run); }
        catch (FormatException) { throw new UsageException($"--run must be a run id (64 hex digits), got '{run}'"); }
        if (id.Length != 32) throw new UsageException($"--run must be a run id (64 hex digits), got {run.Length} characters");
        var (index, count) = (0, 1);
        if (shard is not null)
        {
            var parts = shard.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out index)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || index >= count)
                throw new UsageException($"--shard must be I/N with 0 <= I < N, got '{shard}'");
        }
        DataSplit s;
        try { s = DataSplit.Parse(split ?? "iid"); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return new TrainingFlags(id, index, count, s, data, exit, name ?? "", corpus, failAt, lm);
    }
}

/// <summary>
/// The training part of `p2pnode run --run ID`: replicates the ledger with peers until the run's genesis is
/// here, joins the run (Join entry), loads this node's shard and runs a <see cref="TrainingNode"/> on the run's
/// topic. Progress goes to stdout as JSON lines (one object per line, starting with '{').
/// </summary>
internal static class TrainingRun
{
    public const string LedgerFile = "ledger.db";

    public static void EnsureJoined(LedgerStore ledger, NodeIdentity identity, byte[] run, string displayName)
    {
        foreach (var e in ledger.AllEntries(identity.PublicKey))
            if (e.Kind == EntryKind.Join && e.Entry.Run.AsSpan().SequenceEqual(run)) return;
        ledger.AppendOwn(identity.SigningKey, new JoinBody
        {
            NodeId = identity.PeerId.ToString(), DisplayName = displayName, Organisation = "",
            Hardware = $"{Environment.ProcessorCount} cpu", SoftwareVersion = AgentInfo.Agent,
        }, run);
    }

    public static async Task RunAsync(TrainingFlags flags, LoadedNode loaded, NodeHost host, OverlayService overlay, RunTopicValidator validator,
        NodeMetrics metrics, ILogger log, Action<TrainingNode, TransferService> watch, Action<int> stopNode, CancellationToken ct)
    {
        var dataDir = loaded.Config.Node.DataDir;
        using var ledger = LedgerStore.Open(Path.Combine(dataDir, LedgerFile));
        // Heads every 10 s (the default): each tick that finds a log grown costs a head, a fetch and a cosignature per
        // peer, and a run needs no faster replication (contributions travel inside their gossip messages, and the
        // node announces at once when it finishes); at 1 s the ledger cost more bytes than top-2% model deltas.
        await using var sync = new LedgerSync(host, ledger, loaded.Identity, new LedgerSyncOptions(), log);
        sync.Start();
        await using var transfer = new TransferService(host, new MemoryChunkStore(), new TransferOptions(), log);
        try
        {
            var genesis = await WaitForGenesisAsync(ledger, flags, log, ct);
            var spec = RunSpec.FromJson(genesis.Hyperparameters);
            if (genesis.Model != spec.ModelSpec().Canonical)
                throw new InvalidDataException($"run genesis names model '{genesis.Model}' but its hyperparameters give '{spec.ModelSpec().Canonical}'");
            EnsureJoined(ledger, loaded.Identity, flags.Run, flags.DisplayName);
            sync.AnnounceNow();
            var (trainTask, evalTask) = LoadData(spec, flags, loaded.Config.Training, dataDir);
            log.TrainingStarts(flags.RunHex[..16], spec, flags.ShardIndex, flags.ShardCount, flags.Split, trainTask.EpochSamples);
            using var node = new TrainingNode(new RunContext
            {
                Spec = spec, Run = flags.Run, InitialModel = genesis.InitialModel, Identity = loaded.Identity, Ledger = ledger,
                TrainTask = trainTask, EvalTask = evalTask, DataDir = dataDir,
                Publish = payload => overlay.Publish(flags.Topic, payload), KeepEntry = sync.Keep, Metrics = metrics, Log = log,
                Exchange = new TransferModelExchange(transfer),
                Progress = line => Console.Out.WriteLine(line.ToJsonString()),
                FailAtRound = flags.FailAtRound,
                Device = flags.Lm?.Device ?? loaded.Config.Training.Device,
            });
            watch(node, transfer);
            validator.Attach(node);
            await node.RunAsync(ct);
            sync.AnnounceNow();
            Console.Out.WriteLine(new System.Text.Json.Nodes.JsonObject
            {
                ["event"] = "done", ["node"] = loaded.Identity.PeerId.ToString(), ["rounds"] = node.RoundsDone,
                ["bytes_sent"] = metrics.Get("frame_bytes_sent"), ["published_bytes"] = metrics.Get("training_contribution_bytes_published"),
                ["peak_rss_bytes"] = ProcessMemory.PeakResidentBytes(),
                // CPU per contribution (docs/results.md §8, "Contribution hot path"): the process's CPU time, and how much
                // of it the training and round threads took; the rest is the network side.
                ["cpu_s"] = Math.Round(ProcessCpu.TotalSeconds(), 3),
                ["training_cpu_s"] = node.ThreadCpuSeconds.GetValueOrDefault("training"), ["rounds_cpu_s"] = node.ThreadCpuSeconds.GetValueOrDefault("rounds"),
                ["contributions_published"] = metrics.Get("training_contributions_published"),
                ["contributions_received"] = metrics.Get("training_contributions_received"),
                ["bytes_sent_gossip"] = metrics.Get("frame_bytes_sent_gossip"), ["bytes_sent_ledger"] = metrics.Get("frame_bytes_sent_ledger"),
            }.ToJsonString());
            if (flags.ExitWhenDone) stopNode(0);
            else await Task.Delay(Timeout.Infinite, ct); // keep serving the ledger and the overlay until stopped
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Whatever stopped training (bad data, a diverged model, a libtorch error), the node says why and exits with
            // status 1 so a supervisor (systemd, the swarm) restarts it; the ledger and the state file were only ever
            // written whole (SQLite transactions, state.bin renamed into place), so the restart resumes from them.
            var reason = e is InvalidOperationException { InnerException: { } inner } && e.Message.StartsWith("training node failed", StringComparison.Ordinal)
                ? $"{e.Message} ({inner.GetType().Name})" : $"{e.Message} ({e.GetType().Name})";
            log.TrainingStopped(e, reason);
            Console.Out.WriteLine(new System.Text.Json.Nodes.JsonObject { ["event"] = "failed", ["reason"] = reason }.ToJsonString());
            stopNode(1);
        }
    }

    private static async Task<RunGenesisBody> WaitForGenesisAsync(LedgerStore ledger, TrainingFlags flags, ILogger log, CancellationToken ct)
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

    private static (TrainingTask Train, TrainingTask Eval) LoadData(RunSpec spec, TrainingFlags flags, P2PNode.Config.TrainingSection config, string dataDir)
    {
        if (!spec.ModelSpec().IsClassifier)
        {
            // The language model: this node's own text (e.g. one language), its tail held out for bits per byte. The
            // tokenizer must hash to what the genesis pins, or the node refuses the run.
            var task = LanguageModelData.Load(spec.ModelSpec(), (flags.Lm ?? new LmDataFlags()).With(flags.Corpus, config), spec.Seed * 1000 + flags.ShardIndex,
                Path.Combine(dataDir, "tokens"));
            return (task, task);
        }
        var train = FashionMnist.Load("train", flags.DataDir);
        var test = FashionMnist.Load("t10k", flags.DataDir);
        // The split is deterministic from the run seed, so N nodes given shards 0..N-1 hold disjoint parts.
        var shard = flags.Split.Partition(train.Labels, train.Classes, flags.ShardCount, spec.Seed)[flags.ShardIndex];
        var dataSeed = spec.Seed * 1000 + flags.ShardIndex;
        var testIndices = Enumerable.Range(0, test.Count).ToArray();
        return (new ClassificationTask(train, shard.Train, test, testIndices, dataSeed),
            new ClassificationTask(test, testIndices, test, testIndices, spec.Seed));
    }
}
