using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Merkle;

namespace P2PNode.Ledger.Audit;

/// <summary>
/// The audit algorithm of docs/ledger.md, step by step: signatures (in parallel: they are nearly all the
/// cost), per-author order, duplicates and forks, sequence and hash chain, Merkle roots of every tree head,
/// consistency proofs between successive heads, cosignatures and witness counts, evidence, then lineage.
/// </summary>
public static partial class LedgerAuditor
{
    public static AuditReport Audit(LedgerSnapshot snap, AuditOptions? options = null)
    {
        options ??= new AuditOptions();
        var findings = new List<Finding>(snap.LoadFindings);
        var flagged = new HashSet<string>(StringComparer.Ordinal);
        void Add(string code, string author, ulong? seq, int? line, string msg) => findings.Add(new Finding(code, author, seq, line, msg));

        // Step 2: every entry signature, on all cores.
        var entries = snap.Entries;
        var sigOk = new bool[entries.Count];
        Parallel.For(0, entries.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism) },
            () => 0, (i, _, n) => { sigOk[i] = entries[i].Entry.VerifySignature(); return n; }, _ => { });
        for (var i = 0; i < entries.Count; i++)
            if (!sigOk[i]) Add(FindingCodes.BadEntrySignature, Hex(entries[i].Entry.Author), entries[i].Entry.Seq, Line(entries[i]), "signature does not verify");

        // Steps 3-6, author by author.
        var byAuthor = Enumerable.Range(0, entries.Count).GroupBy(i => Hex(entries[i].Entry.Author)).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var headsByAuthor = snap.Heads.GroupBy(h => Hex(h.Head.Author)).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var logs = new Dictionary<string, List<SignedEntry>>(StringComparer.Ordinal);
        var summaries = new List<AuthorSummary>();
        long cosigCount = 0;
        foreach (var author in byAuthor.Keys.Union(headsByAuthor.Keys).Order(StringComparer.Ordinal))
        {
            var idx = byAuthor.GetValueOrDefault(author) ?? [];
            var log = BuildLog(author, idx, entries, sigOk, snap.FromExport, Add, flagged);
            logs[author] = log;
            var tree = new MerkleTree();
            for (var s = 0; s < log.Count; s++)
            {
                var e = log[s];
                if (e.Seq != (ulong)s)
                {
                    Add(FindingCodes.SeqGap, author, (ulong)s, null, $"entry {s} is missing (next held is {e.Seq}); later entries are not in the tree");
                    log.RemoveRange(s, log.Count - s);
                    break;
                }
                var expected = s == 0 ? new byte[32] : log[s - 1].Hash;
                if (!e.Entry.Prev.AsSpan().SequenceEqual(expected))
                    Add(FindingCodes.BrokenChain, author, e.Seq, null, s == 0 ? "first entry's prev is not zero" : $"prev is not the hash of entry {s - 1}");
                tree.Append(e.Hash);
            }
            var (latestSize, witnesses) = CheckHeads(author, headsByAuthor.GetValueOrDefault(author) ?? [], tree, snap.FromExport, options, Add, flagged, ref cosigCount);
            summaries.Add(new AuthorSummary(author, log.Count, latestSize, witnesses, false));
        }

        // Step 8: evidence carried by the ledger.
        foreach (var ev in snap.Evidence)
        {
            var who = Hex(ev.Evidence.Author);
            var seq = ev.Evidence.EntryA?.Seq;
            if (ev.Evidence.Check() is { } why) Add(FindingCodes.BadEvidence, who, seq, Line(ev.Line), why);
            else
            {
                flagged.Add(who);
                Add(FindingCodes.Equivocation, who, seq, Line(ev.Line), ev.Evidence.Kind == EquivocationKind.EntryFork
                    ? $"evidence: two different signed entries at seq {seq}"
                    : $"evidence: signed tree heads at sizes {ev.Evidence.HeadA!.Size} and {ev.Evidence.HeadB!.Size} that no single log explains");
            }
        }

        // Step 9: lineage over every validly signed entry in a log.
        CheckLineage(logs, sigOk, entries, Add);

        summaries = summaries.Select(s => s with { Flagged = flagged.Contains(s.Author) }).ToList();
        return new AuditReport(findings, summaries, entries.Count, snap.Heads.Count, cosigCount);
    }

    /// <summary>Order, duplicates and entry forks; returns the author's entries sorted by seq, one per seq.</summary>
    private static List<SignedEntry> BuildLog(string author, List<int> idx, List<SnapshotEntry> entries, bool[] sigOk, bool fromExport,
        Action<string, string, ulong?, int?, string> add, HashSet<string> flagged)
    {
        if (fromExport)
        {
            for (var k = 1; k < idx.Count; k++)
            {
                var (a, b) = (entries[idx[k - 1]], entries[idx[k]]);
                if (b.Entry.Seq < a.Entry.Seq)
                {
                    add(FindingCodes.EntryOutOfOrder, author, b.Entry.Seq, b.Line, $"entry {b.Entry.Seq} comes after entry {a.Entry.Seq}");
                    break;
                }
            }
        }
        var bySeq = new SortedDictionary<ulong, int>();
        foreach (var i in idx)
        {
            var e = entries[i];
            if (!bySeq.TryGetValue(e.Entry.Seq, out var j)) { bySeq[e.Entry.Seq] = i; continue; }
            var first = entries[j];
            if (first.Entry.Bytes.AsSpan().SequenceEqual(e.Entry.Bytes) && first.Entry.Signature.AsSpan().SequenceEqual(e.Entry.Signature))
                add(FindingCodes.DuplicateEntry, author, e.Entry.Seq, Line(e), $"entry {e.Entry.Seq} appears again (replayed)");
            else if (sigOk[i] && sigOk[j] && !first.Entry.Bytes.AsSpan().SequenceEqual(e.Entry.Bytes))
            {
                flagged.Add(author);
                add(FindingCodes.Equivocation, author, e.Entry.Seq, Line(e), $"two different signed entries at seq {e.Entry.Seq}");
            }
            else if (sigOk[i] && !sigOk[j]) bySeq[e.Entry.Seq] = i; // keep the authentic one; the other is reported already
        }
        return bySeq.Values.Select(i => entries[i].Entry).ToList();
    }

    private static (ulong LatestSize, int Witnesses) CheckHeads(string author, List<SnapshotHead> heads, MerkleTree tree, bool fromExport,
        AuditOptions options, Action<string, string, ulong?, int?, string> add, HashSet<string> flagged, ref long cosigCount)
    {
        SnapshotHead? prev = null;
        SnapshotHead? latestValid = null;
        var latestWitnesses = 0;
        var validBySize = new Dictionary<ulong, SnapshotHead>();
        foreach (var sh in heads)
        {
            var h = sh.Head;
            var line = Line(sh.Line);
            if (fromExport && prev is not null && h.Size <= prev.Head.Size)
                add(FindingCodes.EntryOutOfOrder, author, null, line, $"tree head of size {h.Size} comes after size {prev.Head.Size}");
            if (!h.VerifySignature())
            {
                add(FindingCodes.BadSthSignature, author, null, line, $"tree head of size {h.Size}: signature does not verify");
                prev = sh;
                continue;
            }
            if (validBySize.TryGetValue(h.Size, out var twin) && !twin.Head.Root.AsSpan().SequenceEqual(h.Root))
            {
                flagged.Add(author);
                add(FindingCodes.Equivocation, author, null, line, $"two signed tree heads of size {h.Size} with different roots");
            }
            validBySize.TryAdd(h.Size, sh);
            if (h.Size > (ulong)tree.Size)
                add(FindingCodes.SthBeyondLog, author, null, line, $"tree head covers {h.Size} entries, only {tree.Size} are present: entries are missing");
            else if (!tree.RootAt((long)h.Size).AsSpan().SequenceEqual(h.Root))
                add(FindingCodes.SthRootMismatch, author, null, line, $"root of tree head {h.Size} is not the Merkle root of entries 0..{h.Size - 1}");
            if (fromExport && prev is not null)
            {
                var p = prev.Head;
                if (sh.FromSize != p.Size || sh.Proof is null)
                    add(FindingCodes.SthInconsistent, author, null, line, $"tree head {h.Size} carries no consistency proof from the previous head {p.Size}");
                else if (p.Size > 0 && !MerkleVerifier.VerifyConsistency(p.Size, h.Size, p.Root, h.Root, sh.Proof))
                    add(FindingCodes.SthInconsistent, author, null, line, $"consistency proof {p.Size} -> {h.Size} does not verify");
            }
            else if (fromExport && sh.FromSize is not null)
                add(FindingCodes.SthInconsistent, author, null, line, "the first tree head of an author must not carry a consistency proof");
            var witnesses = new HashSet<string>(StringComparer.Ordinal);
            foreach (var c in sh.Cosignatures)
            {
                cosigCount++;
                if (!c.Verify(h)) add(FindingCodes.BadCosignature, author, null, line, $"cosignature by {Hex(c.Witness)} on head {h.Size} does not verify");
                else if (Hex(c.Witness) != author) witnesses.Add(Hex(c.Witness));
            }
            if (latestValid is null || h.Size >= latestValid.Head.Size) { latestValid = sh; latestWitnesses = witnesses.Count; }
            prev = sh;
        }
        // An author with no valid head has nothing witnessed at all: with a minimum, that is too few too.
        if (latestValid is null && options.MinWitnesses > 0)
            add(FindingCodes.TooFewWitnesses, author, null, null,
                $"no tree head with a valid signature, so 0 witness cosignatures, {options.MinWitnesses} required");
        else if (latestValid is not null && latestWitnesses < options.MinWitnesses)
            add(FindingCodes.TooFewWitnesses, author, null, Line(latestValid.Line),
                $"latest tree head {latestValid.Head.Size} has {latestWitnesses} witness cosignatures, {options.MinWitnesses} required");
        return (latestValid?.Head.Size ?? 0, latestWitnesses);
    }

    private static int? Line(SnapshotEntry e) => Line(e.Line);

    private static int? Line(int line) => line > 0 ? line : null;

    internal static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
