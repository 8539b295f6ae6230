using P2PNode.Ledger.Demo;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Cli.Commands;

/// <summary>Hidden verbs that produce ledgers for tests and demos.</summary>
internal static class LedgerToolCommands
{
    /// <summary>`ledger demo --out DB [--authors 3] [--rounds 4] [--seed demo]`: a realistic valid ledger.</summary>
    public static int Demo(Args args)
    {
        var outPath = args.Require("out");
        var authors = args.GetInt("authors", 1, 64) ?? 3;
        var rounds = args.GetInt("rounds", 0, 10_000) ?? 4;
        var seed = args.Get("seed") ?? "demo";
        args.EnsureAllUsed(1);
        if (File.Exists(outPath)) throw new UsageException($"{outPath} exists; the demo writes a new ledger");
        using var store = LedgerStore.Open(outPath);
        DemoLedger.Build(store, authors, rounds, seed);
        Console.WriteLine($"wrote {outPath}: {authors} authors, {rounds} rounds");
        return 0;
    }

    /// <summary>
    /// `ledger stress-append --db DB --count N [--seed s] [--batch B]`: appends contributions durably and prints
    /// "committed SEQ" only after each commit returned. The crash test SIGKILLs this process at random moments
    /// and checks that every printed seq is still there.
    /// </summary>
    public static int StressAppend(Args args)
    {
        var db = args.Require("db");
        var count = args.GetInt("count", 1, int.MaxValue) ?? 1000;
        var batch = args.GetInt("batch", 1, 10_000) ?? 1;
        var seed = args.Get("seed") ?? "stress";
        args.EnsureAllUsed(1);
        var key = DemoLedger.NodeKey(seed, 0);
        var author = LedgerSignatures.PublicKeyOf(key);
        using var store = LedgerStore.Open(db);
        var initial = DemoLedger.ModelHash("stress/initial");
        if (store.Size(author) == 0)
        {
            var g = store.AppendOwn(key, new RunGenesisBody { Name = "stress", Model = "none", Hyperparameters = "{}", DataPolicy = "synthetic", InitialModel = initial }, new byte[32]);
            Console.WriteLine($"committed {g.Seq}");
        }
        var run = store.GetRange(author, 0, 1)[0].Hash;
        if (store.Size(author) == 1)
            Console.WriteLine($"committed {store.AppendOwn(key, new JoinBody { NodeId = "stress", DisplayName = "stress", Organisation = "XX", Hardware = "cpu", SoftwareVersion = "test" }, run).Seq}");
        for (var done = 0; done < count; done += batch)
        {
            var items = Enumerable.Range(0, Math.Min(batch, count - done)).Select(i => ((EntryBody)new ContributionBody
            {
                Round = 0, BaseModel = initial, PayloadHash = DemoLedger.ModelHash($"p{done + i}"), PayloadSize = 1000, Samples = 10,
                InnerSteps = 1, LossBefore = 1, LossAfter = 0.9, ComputeSeconds = 0.1,
            }, run)).ToList();
            foreach (var e in store.AppendOwnBatch(key, items)) Console.WriteLine($"committed {e.Seq}");
            if ((done / batch) % 10 == 9) Console.WriteLine($"head {store.PublishTreeHead(key).Size}");
        }
        return 0;
    }
}
