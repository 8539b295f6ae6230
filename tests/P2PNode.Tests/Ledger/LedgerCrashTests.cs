using System.Diagnostics;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Demo;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Tests.Ledger;

/// <summary>
/// Crash safety: a real writer process (`p2pnode ledger stress-append`) is SIGKILLed at random moments, again
/// and again on one database. Every seq it printed as committed must still be there, and the whole ledger
/// must audit clean after every kill (WAL + synchronous=FULL, one transaction per append).
/// </summary>
public sealed class LedgerCrashTests
{
    [Fact]
    public void SigkilledWriterNeverLosesACommittedEntry()
    {
        var dir = Directory.CreateTempSubdirectory("p2pnode-ledger-crash-").FullName;
        var db = Path.Combine(dir, "ledger.db");
        var author = LedgerSignatures.PublicKeyOf(DemoLedger.NodeKey("stress", 0));
        var rng = new Random(20260101);
        var budget = Stopwatch.StartNew();
        var kills = 0;
        long highestReported = -1;
        try
        {
            // 20 kills, or fewer once 40 s have passed, but never under 10: a loaded machine (slow fsync, slow
            // process start) only makes the test longer, up to a hard 240 s bound.
            while (kills < 20 && (kills < 10 || budget.Elapsed < TimeSpan.FromSeconds(40)) && budget.Elapsed < TimeSpan.FromSeconds(240))
            {
                var batch = kills % 4 == 3 ? 7 : 1; // mostly single appends, sometimes batched transactions
                var reported = RunAndKill(db, batch, waitForLines: rng.Next(1, 40), extraMs: rng.Next(0, 25));
                kills++;
                highestReported = Math.Max(highestReported, reported);
                using var store = LedgerStore.Open(db);
                Assert.True(store.Size(author) > highestReported,
                    $"kill {kills}: seq {highestReported} was reported committed but the log holds {store.Size(author)} entries");
                var audit = LedgerAuditor.Audit(LedgerSnapshot.FromStore(store));
                Assert.True(audit.Valid, $"kill {kills}: " + string.Join("; ", audit.Findings));
            }
            Assert.True(kills >= 10, $"only {kills} kills fitted in {budget.Elapsed}");
            Assert.True(highestReported > 20, $"the writer made almost no progress ({highestReported})");
            var (exit, stdout, stderr) = LedgerProcess.P2PNode("ledger", "verify", db);
            Assert.True(exit == 0, stdout + stderr);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Starts the writer, waits for some commits plus a random delay, SIGKILLs it; returns the highest seq it reported.</summary>
    private static long RunAndKill(string db, int batch, int waitForLines, int extraMs)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { LedgerProcess.P2PNodeDll, "ledger", "stress-append", "--db", db, "--count", "1000000", "--batch", batch.ToString() })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        long highest = -1;
        var lines = 0;
        var enough = new ManualResetEventSlim();
        var reader = Task.Run(() =>
        {
            while (p.StandardOutput.ReadLine() is { } line)
            {
                if (!line.StartsWith("committed ", StringComparison.Ordinal)) continue;
                Interlocked.Exchange(ref highest, Math.Max(Interlocked.Read(ref highest), long.Parse(line[10..])));
                if (++lines >= waitForLines) enough.Set();
            }
            enough.Set();
        });
        _ = p.StandardError.ReadToEndAsync();
        Assert.True(enough.Wait(TimeSpan.FromSeconds(60)), $"the writer reported only {lines} of {waitForLines} commits in 60 s");
        Thread.Sleep(extraMs);
        p.Kill(); // SIGKILL on Unix: no finalizers, no flush, no clean close
        p.WaitForExit();
        reader.Wait(TimeSpan.FromSeconds(10));
        Assert.False(p.ExitCode == 0 && lines < waitForLines, "the writer exited on its own before the kill");
        return Interlocked.Read(ref highest);
    }
}
