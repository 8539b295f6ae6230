using P2PNode.Aggregation;
using P2PNode.Ledger.Entries;

namespace P2PNode.Ledger.Audit;

public static partial class LedgerAuditor
{
    /// <summary>
    /// Step 9: runs exist; authors joined before acting; aggregations and attestations cite contributions of
    /// the same run and round that exist; every round starts from a model the previous round produced (round 0
    /// from the genesis model); checkpoints are of a model the run produced.
    /// </summary>
    private static void CheckLineage(Dictionary<string, List<SignedEntry>> logs, bool[] sigOk, List<SnapshotEntry> all,
        Action<string, string, ulong?, int?, string> add)
    {
        var valid = new HashSet<SignedEntry>(all.Where((e, i) => sigOk[i]).Select(e => e.Entry), ReferenceEqualityComparer.Instance);
        var inLogs = logs.Values.SelectMany(l => l).Where(valid.Contains).ToList();
        var byHash = new Dictionary<string, SignedEntry>(StringComparer.Ordinal);
        foreach (var e in inLogs) byHash.TryAdd(Hex(e.Hash), e);
        var genesis = inLogs.Where(e => e.Kind == EntryKind.RunGenesis).ToDictionary(e => Hex(e.Hash), e => (RunGenesisBody)e.Entry.Body, StringComparer.Ordinal);
        // results[run][round] = result models of that round's aggregations.
        var results = new Dictionary<(string, ulong), HashSet<string>>();
        foreach (var e in inLogs)
            if (e.Entry.Body is AggregationBody a)
            {
                var key = (Hex(e.Entry.Run), a.Round);
                if (!results.TryGetValue(key, out var set)) results[key] = set = new HashSet<string>(StringComparer.Ordinal);
                set.Add(Hex(a.ResultModel));
            }

        bool AllowedBase(string run, ulong round, byte[] model) => round == 0
            ? genesis.TryGetValue(run, out var g) && g.InitialModel.AsSpan().SequenceEqual(model)
            : results.TryGetValue((run, round - 1), out var set) && set.Contains(Hex(model));

        foreach (var log in logs.Values)
        {
            var joined = new HashSet<string>(StringComparer.Ordinal);
            var usedBefore = new HashSet<string>(StringComparer.Ordinal); // inputs this author has aggregated

            foreach (var e in log.Where(valid.Contains))
            {
                string who = Hex(e.Author), run = Hex(e.Entry.Run);
                var zeroRun = e.Entry.Run.All(b => b == 0);
                if (e.Kind == EntryKind.RunGenesis)
                {
                    if (!zeroRun) add(FindingCodes.UnknownRun, who, e.Seq, null, "a run genesis must carry the zero run id");
                    continue;
                }
                if (!genesis.ContainsKey(run))
                {
                    add(FindingCodes.UnknownRun, who, e.Seq, null, $"run {Short(run)} has no run genesis entry in this ledger");
                    continue;
                }
                if (e.Kind == EntryKind.Join) { joined.Add(run); continue; }
                if (!joined.Contains(run)) add(FindingCodes.NotJoined, who, e.Seq, null, $"{EntryKinds.Name(e.Kind)} in run {Short(run)} before the author's join entry");

                // An aggregation may fold in late contributions of up to AggregationPolicy.MaxLateRounds earlier rounds;
                // an attestation names exactly its contribution's round.
                void Input(byte[] hash, ulong round, string role, bool lateAllowed)
                {
                    if (!byHash.TryGetValue(Hex(hash), out var c) || c.Kind != EntryKind.Contribution || Hex(c.Entry.Run) != run)
                        add(FindingCodes.LineageMissingInput, who, e.Seq, null, $"{role} {Short(Hex(hash))} is not a contribution of this run in the ledger");
                    else if (((ContributionBody)c.Entry.Body).Round is var cr && !(cr == round || (lateAllowed && cr < round && round - cr <= AggregationPolicy.MaxLateRounds)))
                        add(FindingCodes.LineageRoundMismatch, who, e.Seq, null, $"{role} {Short(Hex(hash))} is from round {cr}, not {(lateAllowed ? $"{round} or up to {AggregationPolicy.MaxLateRounds} rounds before" : round)}");
                }
                switch (e.Entry.Body)
                {
                    case ContributionBody c when !AllowedBase(run, c.Round, c.BaseModel):
                        add(FindingCodes.LineageBaseMismatch, who, e.Seq, null, $"round {c.Round} contribution starts from {Short(Hex(c.BaseModel))}, not from {Expected(c.Round)}");
                        break;
                    case AggregationBody a:
                        if (!AllowedBase(run, a.Round, a.BaseModel))
                            add(FindingCodes.LineageBaseMismatch, who, e.Seq, null, $"round {a.Round} aggregation starts from {Short(Hex(a.BaseModel))}, not from {Expected(a.Round)}");
                        var inThisOne = new HashSet<string>(StringComparer.Ordinal);
                        foreach (var u in a.Used)
                        {
                            Input(u.Contribution, a.Round, "used input", lateAllowed: true);
                            var twiceHere = !inThisOne.Add(Hex(u.Contribution));
                            if (!usedBefore.Add(Hex(u.Contribution)))
                                add(FindingCodes.LineageDoubleUse, who, e.Seq, null, twiceHere
                                    ? $"used input {Short(Hex(u.Contribution))} is listed twice in this aggregation"
                                    : $"used input {Short(Hex(u.Contribution))} was already used by an earlier aggregation of this author");
                        }
                        foreach (var r in a.Rejected) Input(r.Contribution, a.Round, "rejected input", lateAllowed: true);
                        CheckJudging(a, run, byHash, m => add(FindingCodes.JudgingMismatch, who, e.Seq, null, m));
                        break;
                    case AttestationBody t:
                        Input(t.Contribution, t.Round, "attested contribution", lateAllowed: false);
                        break;
                    case CheckpointBody k when !(results.TryGetValue((run, k.Round), out var set) && set.Contains(Hex(k.Model)))
                                              && !(k.Round == 0 && AllowedBase(run, 0, k.Model)):
                        add(FindingCodes.LineageUnknownModel, who, e.Seq, null, $"checkpoint model {Short(Hex(k.Model))} is not a result of round {k.Round} in this run");
                        break;
                }
            }
        }

        static string Expected(ulong round) => round == 0 ? "the genesis initial model" : $"a result of round {round - 1}";
    }

    private static string Short(string hex) => hex.Length > 16 ? hex[..16] : hex;
}
