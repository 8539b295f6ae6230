using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Ledger.Sync;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Overlay;
using P2PNode.Training.Runtime;
using P2PNode.Transport;
using P2PNode.Wire.Gossip;

namespace P2PNode.Benchmarks;

/// <summary>
/// The contribution path without training (docs/results.md §8, "Contribution hot path"): N nodes in this process,
/// each a NodeHost over real TCP on loopback with an OverlayService, a LedgerStore and a LedgerSync as `p2pnode run`
/// wires them. Every round each node appends a Contribution entry, publishes it with a random delta of the given
/// size (RunMessage kind 1; receivers decode and verify it as TrainingNode does) and appends a second, unpublished
/// entry (as its Aggregation entry is); then the ledgers replicate. Reported per contribution: frame bytes sent by
/// all nodes and this process's CPU time, from the first publish until every node delivered every contribution and
/// every store holds every entry. Usage: hotpath [nodes=8] [rounds=12] [delta bytes=56000].
/// </summary>
public static class HotPathBench
{
    private const string Topic = "run/hotpath-bench";

    private sealed class Node
    {
        public required NodeIdentity Id;
        public required NodeHost Host;
        public required OverlayService Overlay;
        public required LedgerStore Store;
        public required LedgerSync Sync;
        public int Delivered;
    }

    private sealed class Validator : IGossipValidator
    {
        public LedgerSync? Sync;

        // As TrainingNode: decoded and verified outside the overlay's lock (Prepare), the entry kept for the ledger.
        public object? Prepare(string topic, PeerId origin, byte[] payload) => RunMessage.DecodeContribution(payload).Entry;

        public ValidationResult Validate(GossipDelivery message)
        {
            var entry = message.Prepared as SignedEntry ?? RunMessage.DecodeContribution(message.Payload).Entry;
            if (PeerId.FromPublicKey(entry.Author) != message.Origin) return ValidationResult.Reject;
            Sync?.Keep(entry);
            return ValidationResult.Accept;
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0]) : 8;
        var rounds = args.Length > 1 ? int.Parse(args[1]) : 12;
        var deltaBytes = args.Length > 2 ? int.Parse(args[2]) : 56_000;
        var dir = Directory.CreateTempSubdirectory("hotpath-bench");
        var run = RandomNumberGenerator.GetBytes(32);
        var nodes = new List<Node>();
        var syncOptions = new LedgerSyncOptions { HeadsInterval = TimeSpan.FromSeconds(1) };
        try
        {
            for (var i = 0; i < n; i++)
            {
                var id = NodeIdentity.Generate();
                var options = new TransportOptions { Listen = ["127.0.0.1:0"] };
                var metrics = new NodeMetrics();
                var host = new NodeHost(id, new TcpTransport(id, options, metrics, NullLogger.Instance), options, metrics, NullLogger.Instance)
                {
                    Capabilities = ["gossip/1"],
                };
                var address = (await host.StartAsync(default))[0];
                var store = LedgerStore.Open(Path.Combine(dir.FullName, $"node-{i}.db"));
                var sync = new LedgerSync(host, store, id, syncOptions, NullLogger.Instance);
                var validator = new Validator { Sync = sync };
                var overlay = new OverlayService(host, id, address, new OverlayOptions(), NullLogger.Instance, validator);
                overlay.Subscribe(Topic);
                var node = new Node { Id = id, Host = host, Overlay = overlay, Store = store, Sync = sync };
                overlay.Delivered += _ => Interlocked.Increment(ref node.Delivered);
                sync.Start();
                nodes.Add(node);
                overlay.Start(nodes.Take(i).Reverse().Take(2).Select(b => new PeerAddress(b.Id.PeerId, b.Host.ListenAddresses[0])).ToList());
            }
            await WaitAsync(() => nodes.All(x => x.Overlay.ActiveView.Count >= 2), "the overlay to form");
            await Task.Delay(2000);

            var rng = new Random(1);
            var bytes0 = nodes.Sum(x => x.Host.Metrics.Get("frame_bytes_sent"));
            var gossip0 = nodes.Sum(x => x.Host.Metrics.Get("frame_bytes_sent_gossip"));
            var ledger0 = nodes.Sum(x => x.Host.Metrics.Get("frame_bytes_sent_ledger"));
            var cpu0 = ProcessCpu.TotalSeconds();
            var clock = Stopwatch.StartNew();
            for (var r = 0; r < rounds; r++)
            {
                foreach (var x in nodes)
                {
                    var delta = new byte[deltaBytes];
                    rng.NextBytes(delta);
                    var entry = x.Store.AppendOwn(x.Id.SigningKey, new ContributionBody
                    {
                        Round = (ulong)r, BaseModel = new byte[32], PayloadHash = SHA256.HashData(delta), PayloadSize = (ulong)delta.Length,
                        Samples = 640, InnerSteps = 10, LossBefore = 1, LossAfter = 0.5, ComputeSeconds = 1,
                    }, run);
                    x.Overlay.Publish(Topic, RunMessage.EncodeContribution(entry, delta));
                }
                var expected = (r + 1) * (n - 1);
                await WaitAsync(() => nodes.All(x => Volatile.Read(ref x.Delivered) >= expected), $"round {r} to reach every node");
                foreach (var x in nodes) x.Store.AppendOwn(x.Id.SigningKey, Filler(x.Id), run);
            }
            var entries = (long)n * 2 * rounds;
            await WaitAsync(() => nodes.All(x => nodes.Sum(a => (long)x.Store.Size(a.Id.PublicKey)) == entries), "every ledger to hold every entry", 120);
            var cpu = ProcessCpu.TotalSeconds() - cpu0;
            var seconds = clock.Elapsed.TotalSeconds;
            var contributions = n * rounds;
            long Sum(string name) => nodes.Sum(x => x.Host.Metrics.Get(name));
            Console.WriteLine($"hotpath: {n} nodes over TCP, {rounds} rounds, {deltaBytes}-byte deltas: {contributions} contributions in {seconds:F1} s");
            Console.WriteLine($"per contribution: {(Sum("frame_bytes_sent") - bytes0) / (double)contributions:F0} frame bytes sent " +
                $"(gossip {(Sum("frame_bytes_sent_gossip") - gossip0) / (double)contributions:F0}, ledger {(Sum("frame_bytes_sent_ledger") - ledger0) / (double)contributions:F0}), " +
                $"{cpu / contributions * 1000:F2} ms CPU (process, all {n} nodes)");
            Console.WriteLine($"ledger entries ingested by sync: {Sum("ledger_entries_ingested")}, kept from gossip: {Sum("ledger_entries_kept")}; " +
                $"gossip frames encoded: {Sum("gossip_frames_encoded")}, gossip sent: {Sum("gossip_sent")}; send queue drops: {Sum("send_queue_dropped")}");
            return 0;
        }
        finally
        {
            foreach (var x in nodes)
            {
                await x.Overlay.DisposeAsync();
                await x.Sync.DisposeAsync();
                await x.Host.DisposeAsync();
                x.Store.Dispose();
                x.Id.Dispose();
            }
            dir.Delete(recursive: true);
        }
    }

    private static JoinBody Filler(NodeIdentity id) => new()
    {
        NodeId = id.PeerId.ToString(), DisplayName = "bench", Organisation = "", Hardware = "", SoftwareVersion = "bench",
    };

    private static async Task WaitAsync(Func<bool> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }
}
