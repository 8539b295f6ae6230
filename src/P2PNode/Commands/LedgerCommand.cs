namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode ledger &lt;verb&gt;`: the auditor's tools. Needs no torch and no network: a ledger database or a JSONL
/// export is all it reads. Exit codes: 0 valid/success, 1 findings, 2 usage or I/O error.
/// </summary>
public static class LedgerCommand
{
    public const string Help = "audit the signed ledger: verify, export, show, prove, report";

    private static readonly SortedDictionary<string, (string Help, Func<Args, int> Run)> Verbs = new()
    {
        ["verify"] = ("<ledger.db|export.jsonl> [--min-witnesses N] [--json]   check everything; exit 1 on findings", LedgerAuditCommands.Verify),
        ["report"] = ("<ledger.db|export.jsonl> [--json]   per contributor: rounds, samples, accepted/rejected, attestations, anomalies", LedgerAuditCommands.Report),
        ["export"] = ("<ledger.db> [--format jsonl] [--out FILE]   the export an outside auditor verifies (docs/ledger.md)", LedgerViewCommands.Export),
        ["show"] = ("<ledger.db|export.jsonl> [--author HEX] [--json]   authors and tree heads, or one author's entries", LedgerViewCommands.Show),
        ["prove"] = ("<ledger.db> <author:seq> [--out FILE]   inclusion proof JSON a third party can check", LedgerViewCommands.Prove),
    };

    // Hidden helpers for tests and demos (not listed in help).
    private static readonly Dictionary<string, Func<Args, int>> Hidden = new()
    {
        ["demo"] = LedgerToolCommands.Demo,
        ["stress-append"] = LedgerToolCommands.StressAppend,
    };

    public static Task<int> RunAsync(Args args)
    {
        var verb = args.Positional.Count > 0 ? args.Positional[0] : null;
        if (verb is null or "help")
        {
            Console.WriteLine(Usage(null));
            return Task.FromResult(verb is null ? 2 : 0);
        }
        if (Verbs.TryGetValue(verb, out var v)) return Task.FromResult(Guard(verb, () => v.Run(args)));
        if (Hidden.TryGetValue(verb, out var h)) return Task.FromResult(Guard(verb, () => h(args)));
        throw new UsageException($"unknown ledger verb '{verb}' (try 'p2pnode ledger help')");
    }

    /// <summary>The usage of one verb, or of all of them.</summary>
    public static string Usage(string? verb) => verb is not null && Verbs.TryGetValue(verb, out var v)
        ? $"usage: p2pnode ledger {verb} {v.Help}"
        : "usage: p2pnode ledger <verb> ...\n\n" + string.Join("\n", Verbs.Select(kv => $"  ledger {kv.Key} {kv.Value.Help}"));

    /// <summary>I/O and format problems with the input are exit code 2 with one clear line, never a stack trace.</summary>
    private static int Guard(string verb, Func<int> run)
    {
        try { return run(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or Microsoft.Data.Sqlite.SqliteException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"p2pnode ledger {verb}: {e.Message}");
            return 2;
        }
    }
}
