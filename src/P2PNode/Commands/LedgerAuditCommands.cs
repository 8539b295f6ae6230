using System.Text.Json;
using System.Text.Json.Nodes;
using P2PNode.Ledger.Audit;

namespace P2PNode.Cli.Commands;

internal static class LedgerAuditCommands
{
    private static readonly JsonSerializerOptions ReportJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static int Verify(Args args)
    {
        var path = LedgerInput.RequirePath(args, "<ledger.db|export.jsonl>");
        var json = args.Flag("json");
        var min = args.GetInt("min-witnesses", 0, 1000) ?? 0;
        args.EnsureAllUsed(2);
        var report = LedgerAuditor.Audit(LedgerInput.Load(path), new AuditOptions { MinWitnesses = min });
        if (json)
        {
            Console.WriteLine(new JsonObject
            {
                ["valid"] = report.Valid, ["entries"] = report.Entries, ["tree_heads"] = report.Heads, ["cosignatures"] = report.Cosignatures,
                ["authors"] = new JsonArray(report.Authors.Select(a => (JsonNode)new JsonObject
                {
                    ["author"] = a.Author, ["entries"] = a.Entries, ["latest_tree_head"] = a.LatestHeadSize, ["witnesses"] = a.Witnesses, ["flagged"] = a.Flagged,
                }).ToArray()),
                ["findings"] = new JsonArray(report.Findings.Select(f => (JsonNode)new JsonObject
                {
                    ["code"] = f.Code, ["author"] = f.Author, ["seq"] = f.Seq, ["line"] = f.Line, ["message"] = f.Message,
                }).ToArray()),
            }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            foreach (var f in report.Findings) Console.WriteLine(f);
            foreach (var a in report.Authors)
                Console.WriteLine($"author {a.Author}: {a.Entries} entries, latest tree head {a.LatestHeadSize}, {a.Witnesses} witnesses{(a.Flagged ? ", FLAGGED (equivocation)" : "")}");
            Console.WriteLine(report.Valid
                ? $"valid: {report.Entries} entries, {report.Heads} tree heads, {report.Cosignatures} cosignatures, {report.Authors.Count} authors"
                : $"INVALID: {report.Findings.Count} finding(s)");
        }
        return report.Valid ? 0 : 1;
    }

    public static int Report(Args args)
    {
        var path = LedgerInput.RequirePath(args, "<ledger.db|export.jsonl>");
        var json = args.Flag("json");
        args.EnsureAllUsed(2);
        var snap = LedgerInput.Load(path);
        var audit = LedgerAuditor.Audit(snap);
        var (contributors, runAnomalies) = ContributorReport.Build(snap, audit);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { valid = audit.Valid, findings = audit.Findings.Count, contributors, run_anomalies = runAnomalies },
                ReportJson));
            return 0;
        }
        Console.WriteLine($"{"author",-16} {"name",-16} {"org",-6} {"rounds",6} {"samples",9} {"credited",9} {"c.rounds",8} {"accepted",8} {"rejected",8} {"judged",6} {"attested",8} {"mean dloss",10}");
        foreach (var c in contributors)
            Console.WriteLine($"{c.Author[..16],-16} {Trim(c.DisplayName, 16),-16} {Trim(c.Organisation, 6),-6} {c.Rounds.Count,6} {c.Samples,9} {c.CreditedSamples,9} {c.CreditedRounds,8} {c.Accepted,8} {c.Rejected,8} {c.JudgedHarmful,6} {c.AttestationsReceived,8} {(c.MeanAttestedLossDelta is { } d ? d.ToString("+0.0000;-0.0000") : "-"),10}{(c.Flagged ? "  FLAGGED" : "")}{(c.Flags.Count > 0 ? "  FLAGS " + string.Join(",", c.Flags.Select(f => $"{f.Key}:{f.Value}")) : "")}");
        foreach (var c in contributors)
            foreach (var a in c.Anomalies) Console.WriteLine($"anomaly {c.Author[..16]}: {a}");
        foreach (var a in runAnomalies) Console.WriteLine($"anomaly {a}");
        if (!audit.Valid) Console.WriteLine($"note: the ledger has {audit.Findings.Count} audit finding(s); run 'p2pnode ledger verify'");
        return 0;
    }

    private static string Trim(string s, int n) => s.Length <= n ? s : s[..n];
}
