using P2PNode.Aggregation;
using P2PNode.Ledger.Entries;

namespace P2PNode.Ledger.Audit;

public static partial class LedgerAuditor
{
    /// <summary>Rejection reasons decided before judging (docs/runtime.md §3 step 7): an input refused for one of these
    /// was never judged, so it is not among the judged inputs.</summary>
    private static readonly HashSet<string> BeforeJudging = new([RejectionReason.WrongBase.Code(), RejectionReason.MalformedDelta.Code()], StringComparer.Ordinal);

    /// <summary>An aggregation's judged inputs (docs/ledger.md §6 step 9): its used, then rejected, contributions of its
    /// own run and round that are in the ledger, less those refused before judging; each once, first occurrence first.
    /// The auditor's judging check and the report's citation count both take them from here.</summary>
    internal static List<JudgedInput> JudgedInputs(AggregationBody a, string run, Dictionary<string, SignedEntry> byHash)
    {
        var inputs = new List<JudgedInput>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hash in a.Used.Select(u => u.Contribution).Concat(a.Rejected.Where(r => !BeforeJudging.Contains(r.Reason)).Select(r => r.Contribution)))
            if (byHash.TryGetValue(Hex(hash), out var c) && c.Entry.Body is ContributionBody body && body.Round == a.Round && Hex(c.Entry.Run) == run
                && seen.Add(Hex(hash)))
                inputs.Add(new JudgedInput(Hex(hash), Hex(c.Author)));
        return inputs;
    }

    /// <summary>
    /// Step 9, judging (docs/ledger.md): an aggregation excluded as `judged_harmful` exactly what <see cref="JudgingRule"/>
    /// gives for its judged inputs (its used and rejected contributions of its own run and round, less those refused
    /// before judging) and the attestations it cites. Every citation must be an attestation of this run and round about one
    /// of those inputs. An aggregation that cites nothing excludes nothing as judged.
    /// </summary>
    private static void CheckJudging(AggregationBody a, string run, Dictionary<string, SignedEntry> byHash, Action<string> mismatch)
    {
        var claimed = a.Rejected.Where(r => r.Reason == RejectionReason.JudgedHarmful.Code()).Select(r => Hex(r.Contribution)).ToHashSet(StringComparer.Ordinal);
        if (a.Judgements.Count == 0)
        {
            if (claimed.Count > 0) mismatch($"round {a.Round} aggregation excludes {claimed.Count} input(s) as judged_harmful but cites no judgement");
            return;
        }
        var inputs = JudgedInputs(a, run, byHash);
        var ids = inputs.Select(i => i.Contribution).ToHashSet(StringComparer.Ordinal);
        var scores = new List<JudgeScore>();
        foreach (var cited in a.Judgements)
        {
            if (!byHash.TryGetValue(Hex(cited), out var t) || t.Entry.Body is not AttestationBody at || Hex(t.Entry.Run) != run)
            {
                mismatch($"round {a.Round} aggregation cites {Short(Hex(cited))}, which is not an attestation of this run in the ledger");
                continue;
            }
            if (at.Round != a.Round || !ids.Contains(Hex(at.Contribution)))
            {
                mismatch($"round {a.Round} aggregation cites attestation {Short(Hex(cited))} of round {at.Round} about {Short(Hex(at.Contribution))}, not one of its judged inputs");
                continue;
            }
            scores.Add(new JudgeScore(Hex(t.Author), Hex(at.Contribution), at.LossBefore, at.LossAfter));
        }
        var expected = JudgingRule.Excluded(inputs, scores).Select(x => x.Contribution).ToHashSet(StringComparer.Ordinal);
        foreach (var h in expected.Where(h => !claimed.Contains(h)))
            mismatch($"round {a.Round} aggregation: its judges found {Short(h)} harmful, but it was not excluded as judged_harmful");
        foreach (var h in claimed.Where(h => !expected.Contains(h)))
            mismatch($"round {a.Round} aggregation excludes {Short(h)} as judged_harmful, which its cited judgements do not support");
    }
}
