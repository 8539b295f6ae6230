using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Overlay;
using P2PNode.Training.Byzantine;
using P2PNode.Training.Data;
using P2PNode.Training.Runtime;
using P2PNode.Training.Trainer;
using P2PNode.Transfer;
using P2PNode.Wire.Gossip;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>
/// A run of real <see cref="TrainingNode"/>s in one process. The only stand-in is the overlay: a tiny hub whose
/// Publish hands each payload, as a <see cref="GossipDelivery"/> from the publishing node, to every OTHER node's
/// validator (what the overlay does after checking the envelope signature). Node 0 creates the run, as `run new`.
/// </summary>
internal sealed class InProcessRun : IDisposable
{
    private long _sequence;
    private readonly IReadOnlyDictionary<int, AttackMode> _byzantine;

    /// <param name="serveModels">Give the nodes a shared in-memory <see cref="IModelExchange"/> (catch-up, repair,
    /// adoption); without one they never take a peer's model.</param>
    /// <param name="byzantine">Nodes that run as attackers (<see cref="RunContext.Attacker"/>), by index.</param>
    public InProcessRun(int nodes, RunSpec spec, bool serveModels = false, IReadOnlyDictionary<int, AttackMode>? byzantine = null)
    {
        Spec = spec;
        _byzantine = byzantine ?? new Dictionary<int, AttackMode>();
        Exchange = serveModels ? new MemoryExchange() : null;
        Peers = Enumerable.Range(0, nodes).Select(_ => new RunPeer()).ToList();
        (InitialModel, _, Parameters) = GenesisModel.Describe(spec.ModelSpec(), spec.Seed);
        Run = Peers[0].CreateRun(spec.ToJson(), InitialModel, spec.ModelSpec().Canonical);
        foreach (var p in Peers.Skip(1)) p.Join(Run);
        Contexts = Peers.Select(Context).ToList();
        Nodes = Contexts.Select(c => new TrainingNode(c)).ToList();
    }

    public RunSpec Spec { get; }
    public MemoryExchange? Exchange { get; }
    public List<RunPeer> Peers { get; }
    public List<TrainingNode> Nodes { get; }
    public List<RunContext> Contexts { get; }
    public List<NodeMetrics> Metrics { get; } = [];
    public byte[] Run { get; }
    public byte[] InitialModel { get; }
    public long Parameters { get; }
    public string Topic => "run/" + Convert.ToHexStringLower(Run)[..16];
    /// <summary>Every payload each node published, in order.</summary>
    public ConcurrentDictionary<int, ConcurrentQueue<byte[]>> Published { get; } = new();
    public ConcurrentQueue<JsonObject> Events { get; } = new();
    /// <summary>Verdicts the receivers' validators gave to each node's publications.</summary>
    public ConcurrentQueue<(int From, int To, ValidationResult Verdict)> Verdicts { get; } = new();

    /// <summary>Synthetic 28x28, 10-class blobs (the `mlp` model's input); each node gets its own slice.</summary>
    public static (TrainingTask Train, TrainingTask Eval) Data(int index, long seed)
    {
        var data = SyntheticData.Classification(800, classes: 10, sampleShape: [1, 28, 28], seed: 42, noise: 1.0);
        var train = Enumerable.Range(0, 600).Where(i => i % 3 == index % 3).ToArray();
        var eval = Enumerable.Range(600, 200).ToArray();
        return (new ClassificationTask(data, train, eval, seed), new ClassificationTask(data, eval, eval, seed));
    }

    private RunContext Context(RunPeer p, int index)
    {
        var metrics = new NodeMetrics();
        Metrics.Add(metrics);
        var (train, eval) = Data(index, Spec.Seed * 1000 + index);
        Published[index] = new ConcurrentQueue<byte[]>();
        return new RunContext
        {
            Spec = Spec, Run = Run, InitialModel = InitialModel, Identity = p.Identity, Ledger = p.Ledger,
            TrainTask = train, EvalTask = Spec.EvalSamples > 0 ? eval : null, JudgeTask = Spec.JudgeSamples > 0 ? eval : null,
            DataDir = p.Dir.Path, Publish = payload => Deliver(index, payload), Metrics = metrics, Log = NullLogger.Instance, Exchange = Exchange,
            Progress = line =>
            {
                Events.Enqueue((JsonObject)line.DeepClone());
                OnEvent?.Invoke(index, line);
            },
            ChunkSteps = 2,
            Attacker = _byzantine.TryGetValue(index, out var mode) ? new Attacker(mode, Spec.Seed, index) : null,
        };
    }

    /// <summary>Sees every progress event of node i as it is reported, on that node's thread (outside its lock): a test can
    /// act at an exact point of a node's run instead of racing it.</summary>
    public Action<int, JsonObject>? OnEvent { get; set; }

    /// <summary>When set, every payload reaches the other nodes this much later (on the thread pool).</summary>
    public TimeSpan DeliveryDelay { get; set; }

    private void Deliver(int from, byte[] payload)
    {
        if (DeliveryDelay > TimeSpan.Zero)
        {
            _ = Task.Delay(DeliveryDelay).ContinueWith(_ => DeliverNow(from, payload), TaskScheduler.Default);
            return;
        }
        DeliverNow(from, payload);
    }

    /// <summary>When set, statuses reach the other nodes in the older layout, without the momentum object id (what
    /// nodes from before it existed send).</summary>
    public bool LegacyStatuses { get; set; }

    private void DeliverNow(int from, byte[] payload)
    {
        if (LegacyStatuses && RunMessage.KindOf(payload) == RunMessage.StatusKind && RunMessage.DecodeStatus(payload) is { MomentumId: not null } s)
            payload = RunMessage.EncodeStatus(s with { MomentumId = null });
        Published[from].Enqueue(payload);
        for (var to = 0; to < Nodes.Count; to++)
        {
            if (to == from) continue;
            Verdicts.Enqueue((from, to, Nodes[to].Validate(Delivery(Peers[from].Id, payload))));
        }
    }

    public GossipDelivery Delivery(PeerId origin, byte[] payload) => new(
        new MessageId(1, 2, 3, (ulong)Interlocked.Increment(ref _sequence)), Topic, origin, (ulong)Interlocked.Read(ref _sequence),
        (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), payload, 1, origin);

    /// <summary>Runs every node to the end of the run (or fails the test after <paramref name="timeout"/>).</summary>
    public async Task RunAllAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var all = Task.WhenAll(Nodes.Select(n => n.RunAsync(cts.Token)));
        await all;
        Assert.False(cts.IsCancellationRequested, $"the run did not finish within {timeout}");
    }

    public void Dispose()
    {
        foreach (var n in Nodes) n.Dispose();
        foreach (var p in Peers) p.Dispose();
    }
}

/// <summary>Content-addressed objects in memory, shared by every node of an <see cref="InProcessRun"/> (the id is
/// the SHA-256 of the bytes; what the transfer layer does over the network, docs/transfer.md).</summary>
internal sealed class MemoryExchange : IModelExchange
{
    private readonly ConcurrentDictionary<ObjectId, byte[]> _objects = new();

    public ObjectId Offer(byte[] model)
    {
        var id = ObjectId.FromBytes(System.Security.Cryptography.SHA256.HashData(model));
        _objects[id] = model.ToArray();
        return id;
    }

    public Task<byte[]?> FetchAsync(ObjectId objectId, IReadOnlyList<PeerId> peers, CancellationToken ct) =>
        Task.FromResult(_objects.TryGetValue(objectId, out var bytes) ? bytes.ToArray() : null);
}
