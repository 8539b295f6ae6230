using System.Text.Json;

namespace P2PNode.Tests.Ledger;

/// <summary>The `p2pnode ledger` verbs as a user runs them: real process, real files, documented exit codes.</summary>
public sealed class LedgerCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pnode-ledger-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string F(string name) => Path.Combine(_dir, name);

    [Fact]
    public void DemoExportVerifyReportAndExitCodes()
    {
        Assert.Equal(0, LedgerProcess.P2PNode("ledger", "demo", "--out", F("l.db"), "--authors", "3", "--rounds", "2").Exit);
        Assert.Equal(2, LedgerProcess.P2PNode("ledger", "demo", "--out", F("l.db")).Exit); // refuses to overwrite

        var ok = LedgerProcess.P2PNode("ledger", "verify", F("l.db"), "--min-witnesses", "2");
        Assert.True(ok.Exit == 0, ok.Stdout + ok.Stderr);
        Assert.Contains("valid:", ok.Stdout);

        Assert.Equal(0, LedgerProcess.P2PNode("ledger", "export", F("l.db"), "--format", "jsonl", "--out", F("e.jsonl")).Exit);
        var json = LedgerProcess.P2PNode("ledger", "verify", F("e.jsonl"), "--json");
        Assert.Equal(0, json.Exit);
        using (var doc = JsonDocument.Parse(json.Stdout))
        {
            Assert.True(doc.RootElement.GetProperty("valid").GetBoolean());
            Assert.Equal(3, doc.RootElement.GetProperty("authors").GetArrayLength());
        }

        // One flipped hex digit in one signature: exit 1 and a precise finding line.
        var lines = File.ReadAllLines(F("e.jsonl"));
        var i = Array.FindIndex(lines, l => l.Contains("\"kind\":\"contribution\""));
        var at = lines[i].IndexOf("\"sig\":\"", StringComparison.Ordinal) + 7;
        lines[i] = lines[i][..at] + (lines[i][at] == '0' ? '1' : '0') + lines[i][(at + 1)..];
        File.WriteAllLines(F("bad.jsonl"), lines);
        var bad = LedgerProcess.P2PNode("ledger", "verify", F("bad.jsonl"));
        Assert.Equal(1, bad.Exit);
        Assert.Matches($"BAD_ENTRY_SIGNATURE author=[0-9a-f]{{64}} seq=\\d+ line={i + 1}: ", bad.Stdout);

        var report = LedgerProcess.P2PNode("ledger", "report", F("l.db"), "--json");
        Assert.Equal(0, report.Exit);
        using (var doc = JsonDocument.Parse(report.Stdout))
        {
            var contributors = doc.RootElement.GetProperty("contributors");
            Assert.Equal(3, contributors.GetArrayLength());
            Assert.Equal(1, contributors.EnumerateArray().Sum(c => c.GetProperty("rejected").GetInt32())); // the demo rejects one in round 1
        }
        Assert.Equal(0, LedgerProcess.P2PNode("ledger", "show", F("e.jsonl")).Exit);
    }

    [Fact]
    public void UsageAndIoErrorsExitWithTwo()
    {
        Assert.Equal(2, LedgerProcess.P2PNode("ledger", "verify", F("missing.db")).Exit);
        Assert.Equal(2, LedgerProcess.P2PNode("ledger", "verify").Exit);
        Assert.Equal(2, LedgerProcess.P2PNode("ledger", "verify", F("x"), "--bogus").Exit);
        Assert.Equal(2, LedgerProcess.P2PNode("ledger", "frobnicate").Exit);
        File.WriteAllText(F("e.jsonl"), "");
        Assert.Equal(2, LedgerProcess.P2PNode("ledger", "export", F("e.jsonl")).Exit); // export needs the database
        Assert.Equal(1, LedgerProcess.P2PNode("ledger", "verify", F("e.jsonl")).Exit);  // an empty export is a finding
    }
}
