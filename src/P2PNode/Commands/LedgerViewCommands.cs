using System.Text.Json;
using System.Text.Json.Nodes;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Entries;

namespace P2PNode.Cli.Commands;

internal static class LedgerViewCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Export(Args args)
    {
        var path = LedgerInput.RequirePath(args, "<ledger.db>");
        var format = args.Get("format") ?? "jsonl";
        var outPath = args.Get("out");
        args.EnsureAllUsed(2);
        if (format != "jsonl") throw new UsageException($"--format {format}: only jsonl is supported");
        using var store = LedgerInput.OpenDatabase(path);
        if (outPath is null)
        {
            using var stdout = Console.OpenStandardOutput();
            LedgerExport.Write(store, stdout);
            return 0;
        }
        var tmp = outPath + ".tmp";
        using (var f = File.Create(tmp)) LedgerExport.Write(store, f);
        File.Move(tmp, outPath, overwrite: true); // a reader never sees a half-written export
        return 0;
    }

    public static int Show(Args args)
    {
        var path = LedgerInput.RequirePath(args, "<ledger.db|export.jsonl>");
        var authorPrefix = args.Get("author");
        var json = args.Flag("json");
        args.EnsureAllUsed(2);
        var snap = LedgerInput.Load(path);
        if (authorPrefix is null)
        {
            var audit = LedgerAuditor.Audit(snap);
            var names = snap.Entries.Select(e => e.Entry).Where(e => e.Entry.Body is JoinBody)
                .GroupBy(e => Convert.ToHexStringLower(e.Author)).ToDictionary(g => g.Key, g => ((JoinBody)g.Last().Entry.Body).DisplayName);
            if (json)
            {
                Console.WriteLine(new JsonArray(audit.Authors.Select(a => (JsonNode)new JsonObject
                {
                    ["author"] = a.Author, ["name"] = names.GetValueOrDefault(a.Author, ""), ["entries"] = a.Entries,
                    ["latest_tree_head"] = a.LatestHeadSize, ["witnesses"] = a.Witnesses, ["flagged"] = a.Flagged,
                }).ToArray()).ToJsonString(Indented));
                return 0;
            }
            foreach (var a in audit.Authors)
                Console.WriteLine($"{a.Author}  {names.GetValueOrDefault(a.Author, "?"),-16} entries={a.Entries} head={a.LatestHeadSize} witnesses={a.Witnesses}{(a.Flagged ? " FLAGGED" : "")}");
            return 0;
        }
        var author = ResolveAuthor(snap.Entries.Select(e => Convert.ToHexStringLower(e.Entry.Author)), authorPrefix);
        var entries = snap.Entries.Select(e => e.Entry).Where(e => Convert.ToHexStringLower(e.Author) == author).OrderBy(e => e.Seq).ToList();
        if (json)
        {
            Console.WriteLine(new JsonArray(entries.Select(e => (JsonNode)LedgerExport.EntryLine(e)).ToArray()).ToJsonString(Indented));
            return 0;
        }
        foreach (var e in entries)
            Console.WriteLine($"{e.Seq,6} {DateTimeOffset.FromUnixTimeMilliseconds(e.Entry.TimeMs):yyyy-MM-ddTHH:mm:ssZ} {EntryKinds.Name(e.Kind),-12} {Convert.ToHexStringLower(e.Hash)[..16]} {e.Entry.Body.ToJson().ToJsonString()}");
        return 0;
    }

    public static int Prove(Args args)
    {
        var path = LedgerInput.RequirePath(args, "<ledger.db>");
        if (args.Positional.Count < 3) throw new UsageException("missing <author:seq> (author as hex or a unique hex prefix)");
        var spec = args.Positional[2];
        var outPath = args.Get("out");
        args.EnsureAllUsed(3);
        var colon = spec.LastIndexOf(':');
        if (colon <= 0 || !ulong.TryParse(spec[(colon + 1)..], out var seq)) throw new UsageException($"'{spec}' is not <author:seq>");
        using var store = LedgerInput.OpenDatabase(path);
        var author = Convert.FromHexString(ResolveAuthor(store.Authors().Select(Convert.ToHexStringLower), spec[..colon]));
        var (entry, head, proof) = store.ProveInclusion(author, seq);
        var json = new JsonObject
        {
            ["type"] = "inclusion_proof", ["author"] = Convert.ToHexStringLower(author), ["seq"] = seq,
            ["entry"] = new JsonObject { ["bytes"] = Convert.ToHexStringLower(entry.Bytes), ["sig"] = Convert.ToHexStringLower(entry.Signature), ["hash"] = Convert.ToHexStringLower(entry.Hash) },
            ["tree_head"] = LedgerExport.HeadJson(head),
            ["proof"] = new JsonArray(proof.Select(p => (JsonNode)Convert.ToHexStringLower(p)).ToArray()),
        }.ToJsonString(Indented);
        if (outPath is null) Console.WriteLine(json);
        else File.WriteAllText(outPath, json + "\n");
        return 0;
    }

    private static string ResolveAuthor(IEnumerable<string> authors, string prefix)
    {
        var p = prefix.ToLowerInvariant();
        var matches = authors.Distinct().Where(a => a.StartsWith(p, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new UsageException($"no author starts with '{prefix}'"),
            _ => throw new UsageException($"'{prefix}' matches {matches.Count} authors; give more hex digits"),
        };
    }
}
