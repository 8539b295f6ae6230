using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Ledger.Demo;

/// <summary>
/// Builds a realistic, valid ledger for tests, the verifier and demos: one run, N nodes that join, R rounds
/// of contributions, a rotating aggregator (one contribution rejected in round 1 when N &gt;= 3), peer
/// attestations, signed tree heads after every round cosigned by every other node, and a final checkpoint.
/// Keys and times derive from the seed, so the same arguments give the same bytes.
/// </summary>
public static class DemoLedger
{
    public const long StartTimeMs = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    /// <summary>The deterministic Ed25519 key of demo node <paramref name="index"/>.</summary>
    public static Key NodeKey(string seed, int index) =>
        Key.Import(SignatureAlgorithm.Ed25519, SHA256.HashData(Encoding.UTF8.GetBytes($"p2pnode-demo/{seed}/{index}")), KeyBlobFormat.RawPrivateKey);

    public static byte[] ModelHash(string label) => SHA256.HashData(Encoding.UTF8.GetBytes(label));

    public static (Key[] Keys, byte[] Run) Build(LedgerStore store, int authors, int rounds, string seed = "demo")
    {
        if (authors < 1 || rounds < 0) throw new ArgumentOutOfRangeException(nameof(authors), "need at least one author and a non-negative round count");
        var keys = Enumerable.Range(0, authors).Select(i => NodeKey(seed, i)).ToArray();
        var time = StartTimeMs;
        long Tick() => time += 1000;
        var initial = ModelHash($"{seed}/initial");
        var genesis = store.AppendOwn(keys[0], new RunGenesisBody
        {
            Name = $"demo-{seed}", Model = "cnn-fashion-mnist-420k",
            Hyperparameters = """{"inner_steps":50,"inner_lr":0.001,"outer_lr":0.7,"outer_momentum":0.9}""",
            DataPolicy = "data stays on each node; only compressed deltas leave", InitialModel = initial,
        }, new byte[32], Tick());
        var run = genesis.Hash;
        string[] countries = ["NO", "KE", "BR", "JP", "DE", "IN", "CA", "ZA"];
        for (var i = 0; i < authors; i++)
            store.AppendOwn(keys[i], new JoinBody
            {
                NodeId = $"node-{i}", DisplayName = $"Demo node {i}", Organisation = countries[i % countries.Length],
                Hardware = i % 2 == 0 ? "cpu:2 ram:24GB" : "gpu:1 cpu:8", SoftwareVersion = "p2pnode/0.1.0",
            }, run, Tick());
        var model = initial;
        for (var r = 0UL; r < (ulong)rounds; r++)
        {
            var contributions = new SignedEntry[authors];
            for (var i = 0; i < authors; i++)
                contributions[i] = store.AppendOwn(keys[i], new ContributionBody
                {
                    Round = r, BaseModel = model, PayloadHash = ModelHash($"{seed}/payload/{r}/{i}"), PayloadSize = 40_000 + (ulong)i * 512,
                    Samples = 1000 + (ulong)i * 100, InnerSteps = 50, LossBefore = 2.3 / (r + 1), LossAfter = 2.1 / (r + 1),
                    Metrics = [new Metric("accuracy", 0.5 + 0.05 * r + 0.01 * i)], ComputeSeconds = 12.5 + i,
                }, run, Tick());
            var rejectIndex = authors >= 3 && r == 1 ? authors - 1 : -1;
            var result = ModelHash($"{seed}/model/{r + 1}");
            var aggregator = (int)(r % (ulong)authors);
            store.AppendOwn(keys[aggregator], new AggregationBody
            {
                Round = r, BaseModel = model,
                Used = contributions.Where((_, i) => i != rejectIndex).Select(c => new WeightedInput(c.Hash, ((ContributionBody)c.Entry.Body).Samples)).ToList(),
                Rejected = rejectIndex < 0 ? [] : [new RejectedInput(contributions[rejectIndex].Hash, "norm_bound")],
                ResultModel = result,
            }, run, Tick());
            if (authors > 1)
                for (var i = 0; i < authors; i++)
                    store.AppendOwn(keys[(i + 1) % authors], new AttestationBody
                    {
                        Round = r, Contribution = contributions[i].Hash, Samples = 500, LossBefore = 2.0 / (r + 1),
                        LossAfter = i == rejectIndex ? 2.4 / (r + 1) : 1.9 / (r + 1), Metrics = [new Metric("accuracy", 0.6 + 0.01 * r)],
                    }, run, Tick());
            model = result;
            if (r == (ulong)rounds - 1)
                store.AppendOwn(keys[aggregator], new CheckpointBody
                {
                    Round = r, Model = model, Size = 1_700_000, ChunkSize = 1 << 20,
                    Chunks = [ModelHash($"{seed}/chunk/0"), ModelHash($"{seed}/chunk/1")],
                }, run, Tick());
            PublishAndWitness(store, keys, Tick());
        }
        if (rounds == 0) PublishAndWitness(store, keys, Tick());
        return (keys, run);
    }

    /// <summary>Every node signs a head over its log; every other node witnesses it.</summary>
    public static void PublishAndWitness(LedgerStore store, Key[] keys, long timeMs)
    {
        var heads = keys.Select(k => store.PublishTreeHead(k, timeMs)).ToArray();
        for (var a = 0; a < keys.Length; a++)
            for (var w = 0; w < keys.Length; w++)
                if (w != a) store.Cosign(keys[w], heads[a], timeMs + 1);
    }
}
