using P2PNode.Aggregation;
using P2PNode.Ledger.Entries;

namespace P2PNode.Ledger.Audit;

/// <summary>
/// Per-contributor accounting for `ledger report` (docs/ledger.md section 7): rounds, samples, accepted and
/// rejected contributions, attestations received, and anomalies (contributions nobody aggregated, contributions
/// aggregators disagreed on, attestations that measured a loss increase, rounds whose aggregators disagree on
/// the resulting model, flagged authors). Each contribution counts once: accepted if any aggregation used it,
/// else rejected if one rejected it, so accepted + rejected never exceeds the contributions.
/// </summary>
public static class ContributorReport
{
    public static (IReadOnlyList<ContributorStats> Contributors, IReadOnlyList<string> RunAnomalies) Build(LedgerSnapshot snap, AuditReport audit)
    {
        var valid = snap.Entries.Select(e => e.Entry).Where(e => e.VerifySignature())
            .GroupBy(e => (Hex(e.Author), e.Seq)).Select(g => g.First()).ToList();
        var byHash = valid.ToDictionary(e => Hex(e.Hash), StringComparer.Ordinal);
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        var rejected = new Dictionary<string, string>(StringComparer.Ordinal);
        var results = new Dictionary<(string Run, ulong Round), HashSet<string>>();
        var attested = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var judgedHarmful = new HashSet<string>(StringComparer.Ordinal);
        var duplicated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in valid)
        {
            switch (e.Entry.Body)
            {
                case AggregationBody a:
                    foreach (var u in a.Used) accepted.Add(Hex(u.Contribution));
                    foreach (var r in a.Rejected) rejected.TryAdd(Hex(r.Contribution), r.Reason); // the first reason given
                    foreach (var r in a.Rejected.Where(r => r.Reason == RejectionReason.JudgedHarmful.Code())) judgedHarmful.Add(Hex(r.Contribution));
                    foreach (var r in a.Rejected.Where(r => r.Reason == RejectionReason.Duplicate.Code())) duplicated.Add(Hex(r.Contribution));
                    var key = (Hex(e.Entry.Run), a.Round);
                    if (!results.TryGetValue(key, out var set)) results[key] = set = [];
                    set.Add(Hex(a.ResultModel));
                    break;
                case AttestationBody t:
                    var target = Hex(t.Contribution);
                    if (!attested.TryGetValue(target, out var list)) attested[target] = list = [];
                    list.Add(t.LossAfter - t.LossBefore);
                    break;
            }
        }
        var samplesPerRound = SamplesPerRound(valid);
        var attestationsByRound = valid.Where(e => e.Entry.Body is AttestationBody).ToLookup(e => (Hex(e.Entry.Run), ((AttestationBody)e.Entry.Body).Round));
        var flagged = audit.Authors.Where(a => a.Flagged).Select(a => a.Author).ToHashSet(StringComparer.Ordinal);
        var contributors = new List<ContributorStats>();
        foreach (var group in valid.GroupBy(e => Hex(e.Author)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var join = group.Select(e => e.Entry.Body).OfType<JoinBody>().LastOrDefault();
            var contributions = group.Where(e => e.Kind == EntryKind.Contribution).ToList();
            var anomalies = new List<string>();
            var deltas = new List<double>();
            var flags = new Dictionary<string, int>(StringComparer.Ordinal);
            ulong credited = 0;
            var creditedRounds = new SortedSet<ulong>();
            foreach (var c in contributions)
            {
                var h = Hex(c.Hash);
                var body = (ContributionBody)c.Entry.Body;
                var round = body.Round;
                // Credit: the samples of a contribution some aggregation used, unless it claims more than a round can
                // hold (inner_steps × batch_size of its run: an inflated claim) or its judges measured no effect at all
                // (an empty delta: a free rider).
                var inflated = samplesPerRound.TryGetValue(Hex(c.Entry.Run), out var cap) && body.Samples > cap;
                var noEffect = attested.TryGetValue(h, out var seen) && seen.Count >= 2 && seen.All(x => x == 0);
                if (inflated) flags[FlagInflated] = flags.GetValueOrDefault(FlagInflated) + 1;
                if (noEffect) flags[FlagNoEffect] = flags.GetValueOrDefault(FlagNoEffect) + 1;
                if (accepted.Contains(h) && !inflated && !noEffect)
                {
                    credited += body.Samples;
                    creditedRounds.Add(round);
                }
                if (!accepted.Contains(h) && !rejected.ContainsKey(h)) anomalies.Add($"round {round} contribution (seq {c.Seq}) was never aggregated");
                if (accepted.Contains(h) && rejected.TryGetValue(h, out var why))
                    anomalies.Add($"round {round} contribution (seq {c.Seq}) was used by one aggregation and rejected by another ({why}); counted as accepted");
                if (seen is not null) deltas.AddRange(seen);
            }
            anomalies.AddRange(SelectiveCitations(group, byHash, attestationsByRound));
            if (flagged.Contains(group.Key)) anomalies.Add("author equivocated (flagged)");
            bool Rejected(SignedEntry c) => rejected.ContainsKey(Hex(c.Hash)) && !accepted.Contains(Hex(c.Hash));
            var reasons = contributions.Where(Rejected).Select(c => rejected[Hex(c.Hash)])
                .GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            // Refused for a reason by any aggregation (even one another aggregator used: the judges' word is the point
            // here); flagged when it happened round after round. A copier is refused as a duplicate every round, the
            // node it copies only in the rounds it was copied.
            int FlagRepeated(string flag, HashSet<string> refused)
            {
                var count = contributions.Count(c => refused.Contains(Hex(c.Hash)));
                if (count >= MinJudgedToFlag && 2 * count >= contributions.Count) flags[flag] = count;
                return count;
            }
            var judged = FlagRepeated(FlagJudgedHarmful, judgedHarmful);
            FlagRepeated(FlagDuplicate, duplicated);
            contributors.Add(new ContributorStats
            {
                Author = group.Key, DisplayName = join?.DisplayName ?? "", Organisation = join?.Organisation ?? "",
                Contributions = contributions.Count,
                Rounds = contributions.Select(c => ((ContributionBody)c.Entry.Body).Round).Distinct().Order().ToList(),
                Samples = contributions.Aggregate(0UL, (s, c) => s + ((ContributionBody)c.Entry.Body).Samples),
                Accepted = contributions.Count(c => accepted.Contains(Hex(c.Hash))),
                Rejected = contributions.Count(Rejected),
                RejectReasons = reasons,
                AttestationsReceived = deltas.Count,
                MeanAttestedLossDelta = deltas.Count == 0 ? null : deltas.Average(),
                AttestationsGiven = group.Count(e => e.Kind == EntryKind.Attestation),
                Aggregations = group.Count(e => e.Kind == EntryKind.Aggregation),
                Flagged = flagged.Contains(group.Key), Anomalies = anomalies,
                CreditedSamples = credited, CreditedRounds = creditedRounds.Count, JudgedHarmful = judged, Flags = flags,
            });
        }
        var runAnomalies = results.Where(kv => kv.Value.Count > 1)
            .Select(kv => $"run {kv.Key.Run[..16]} round {kv.Key.Round}: aggregators disagree ({kv.Value.Count} different result models)").ToList();
        return (contributors, runAnomalies);
    }

    /// <summary>An aggregation chooses which attestations it cites (docs/ledger.md §7): one that cites fewer than the
    /// ledger holds from its judges about its judged inputs is pointed out (a timing miss, or a choice).</summary>
    private static IEnumerable<string> SelectiveCitations(IEnumerable<SignedEntry> log, Dictionary<string, SignedEntry> byHash,
        ILookup<(string, ulong), SignedEntry> attestations)
    {
        foreach (var e in log)
        {
            if (e.Entry.Body is not AggregationBody { Judgements.Count: > 0 } a) continue;
            // The judged inputs and the scores that count, as the auditor's judging check has them (docs/ledger.md §6).
            var run = Hex(e.Entry.Run);
            var inputs = LedgerAuditor.JudgedInputs(a, run, byHash).ToDictionary(i => i.Contribution, i => i.Author, StringComparer.Ordinal);
            var judges = inputs.Values.ToHashSet(StringComparer.Ordinal);
            bool Counts(SignedEntry t) => judges.Contains(Hex(t.Author)) && t.Entry.Body is AttestationBody body
                && inputs.TryGetValue(Hex(body.Contribution), out var author) && author != Hex(t.Author);
            var held = attestations[(run, a.Round)].Count(Counts);
            var cited = a.Judgements.Select(Hex).Distinct(StringComparer.Ordinal).Count(h => byHash.TryGetValue(h, out var t) && Counts(t));
            if (cited < held) yield return $"round {a.Round} aggregation (seq {e.Seq}) cites {cited} of the {held} attestations about its judged inputs this ledger holds";
        }
    }

    public const string FlagJudgedHarmful = "judged_harmful";
    public const string FlagInflated = "inflated_samples";
    public const string FlagNoEffect = "no_effect";
    public const string FlagDuplicate = "duplicate";

    /// <summary>An author is flagged as judged harmful (or duplicate) when at least this many of its contributions, and
    /// at least half of them, were refused for that reason: an honest node on skewed data is excluded now and then (docs/robustness.md),
    /// a liar round after round.</summary>
    public const int MinJudgedToFlag = 2;

    /// <summary>inner_steps × batch_size of each run whose genesis hyperparameters name both (the samples one round
    /// trains on: docs/runtime.md §1). The ledger treats the hyperparameters as opaque text; the report reads these two.</summary>
    private static Dictionary<string, ulong> SamplesPerRound(IEnumerable<SignedEntry> entries)
    {
        var caps = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (e.Entry.Body is not RunGenesisBody g) continue;
            try
            {
                if (System.Text.Json.Nodes.JsonNode.Parse(g.Hyperparameters) is System.Text.Json.Nodes.JsonObject o
                    && o["inner_steps"]?.GetValue<long>() is > 0 and var h && o["batch_size"]?.GetValue<long>() is > 0 and var b)
                    caps[Hex(e.Hash)] = (ulong)h * (ulong)b;
            }
            catch (Exception x) when (x is System.Text.Json.JsonException or InvalidOperationException or FormatException) { }
        }
        return caps;
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
