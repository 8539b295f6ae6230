using P2PNode.Aggregation;
using P2PNode.Compression;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Overlay;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Runtime;

/// <summary>
/// Judging (docs/runtime.md §3a, when the genesis sets judge_samples): once a round closes, the node scores each of
/// its contributions on a batch of its own held-out data (loss of θr before and after applying that contribution
/// alone), appends the scores to its log as Attestation entries and broadcasts them in one Judgements message; it
/// then waits, up to one round deadline span, for the Judgements of every other author of the round, and leaves out
/// what <see cref="JudgingRule"/> excludes given the attestations it holds, which its Aggregation entry cites.
/// </summary>
public sealed partial class TrainingNode
{
    /// <summary>Round → judge → that judge's attestations of the round (signed by it, of this run).</summary>
    private readonly Dictionary<ulong, Dictionary<PeerId, List<(SignedEntry Entry, AttestationBody Body)>>> _judgements = [];

    /// <summary>A Judgements message whose attestations parsed and whose signatures verified (<see cref="RunMessage.DecodeJudgements"/>).</summary>
    private sealed record DecodedJudgements(ulong Round, IReadOnlyList<(SignedEntry Entry, AttestationBody Body)> Items)
    {
        public static DecodedJudgements Of(byte[] payload)
        {
            var (round, items) = RunMessage.DecodeJudgements(payload);
            return new DecodedJudgements(round, items);
        }
    }

    private ValidationResult OnJudgements(PeerId origin, DecodedJudgements decoded)
    {
        var (round, items) = decoded;
        foreach (var (entry, _) in items)
        {
            if (PeerId.FromPublicKey(entry.Author) != origin)
            {
                Reject(origin, "not_author", "attestation is signed by another key than the message's origin");
                return ValidationResult.Reject;
            }
            if (!entry.Entry.Run.AsSpan().SequenceEqual(_ctx.Run))
            {
                Reject(origin, "wrong_run", "attestation of another run");
                return ValidationResult.Reject;
            }
        }
        var open = _book.OpenRound;
        if (_spec.JudgeSamples == 0 || round > open + 2 || round + AggregationPolicy.MaxLateRounds < open)
        {
            _ctx.Metrics.Increment("training_judgements_out_of_window");
            return ValidationResult.Ignore;
        }
        var fresh = new List<SignedEntry>();
        lock (_gate)
        {
            if (!_judgements.TryGetValue(round, out var byJudge)) _judgements[round] = byJudge = [];
            var first = !byJudge.TryGetValue(origin, out var held);
            if (first) byJudge[origin] = held = [];
            // Every attestation a judge sends for the round is kept and cited, not only its first message's: a judge
            // that sends two different score sets then contradicts itself in every aggregation that saw both, and the
            // rule drops its votes (a restarted node re-sends the same measurements, which contradict nothing).
            foreach (var item in items)
                if (held!.Count < RunMessage.MaxJudgements && !held.Exists(h => h.Entry.Hash.AsSpan().SequenceEqual(item.Entry.Hash)))
                {
                    held.Add(item);
                    fresh.Add(item.Entry);
                }
            if (!first && fresh.Count == 0)
            {
                _ctx.Metrics.Increment("training_judgements_duplicate");
                return ValidationResult.Ignore;
            }
            _lastSeen[origin] = NowMs;
        }
        foreach (var entry in fresh) _ctx.KeepEntry?.Invoke(entry);
        _ctx.Metrics.Increment("training_judgements_received");
        _roundWake.Pulse();
        return ValidationResult.Accept;
    }

    /// <summary>A round input the judging step may exclude: a contribution of the round itself (late ones were judged,
    /// or not, in their own round) whose base is known and whose delta decodes.</summary>
    private sealed record Judged(ReceivedContribution C, ReadOnlyMemory<float> Delta);

    /// <summary>
    /// Scores <paramref name="candidates"/> (this node's own excepted) with <paramref name="judge"/> on θ, records and
    /// broadcasts the scores, waits for the other authors' Judgements, and returns the exclusions with the cited
    /// attestation hashes. Nothing is excluded, and nothing cited, when judging is off.
    /// </summary>
    private (IReadOnlyList<JudgedExclusion> Excluded, List<byte[]> Cited) JudgeRound(ulong round, float[] theta, IReadOnlyList<Judged> candidates, LocalTrainer? judge)
    {
        if (_spec.JudgeSamples == 0) return ([], []);
        var mine = new List<(SignedEntry Entry, AttestationBody Body)>();
        var scored = judge is null ? [] : Score(round, theta, candidates, judge);
        if (scored.Count > 0)
        {
            var entries = _ctx.Ledger.AppendOwnBatch(_ctx.Identity.SigningKey, [.. scored.Select(b => ((EntryBody)b, _ctx.Run))]);
            mine.AddRange(entries.Zip(scored));
        }
        _ctx.Publish(RunMessage.EncodeJudgements(round, [.. mine.Select(m => m.Entry)]));
        _ctx.Metrics.Increment("training_judgements_published");
        lock (_gate)
        {
            if (!_judgements.TryGetValue(round, out var byJudge)) _judgements[round] = byJudge = [];
            byJudge[_self] = mine;
        }
        var judges = candidates.Select(c => c.C.Author).Where(a => a != _self).ToHashSet();
        var until = NowMs + _book.SpanMs;
        while (true)
        {
            lock (_gate)
                if (judges.All(_judgements[round].ContainsKey)) break;
            if (NowMs >= until)
            {
                _ctx.Metrics.Increment("training_judging_closed_by_deadline");
                break;
            }
            RoundWait(until);
        }
        List<(SignedEntry Entry, AttestationBody Body)> held;
        lock (_gate)
        {
            held = [.. _judgements[round].Values.SelectMany(x => x)];
            foreach (var old in _judgements.Keys.Where(r => r + AggregationPolicy.MaxLateRounds < round).ToList()) _judgements.Remove(old);
        }
        var inputs = candidates.Select(c => new JudgedInput(c.C.Hash, Convert.ToHexStringLower(c.C.Entry.Author))).ToList();
        // Cite exactly what the rule counts: scores by a judge (an author of a judged input) about another author's input.
        var authorOf = inputs.ToDictionary(i => i.Contribution, i => i.Author, StringComparer.Ordinal);
        var judgeKeys = authorOf.Values.ToHashSet(StringComparer.Ordinal);
        var cited = held.Where(h => authorOf.TryGetValue(Convert.ToHexStringLower(h.Body.Contribution), out var author)
            && judgeKeys.Contains(Convert.ToHexStringLower(h.Entry.Author)) && author != Convert.ToHexStringLower(h.Entry.Author)).ToList();
        var excluded = JudgingRule.Excluded(inputs, cited.Select(h => new JudgeScore(Convert.ToHexStringLower(h.Entry.Author),
            Convert.ToHexStringLower(h.Body.Contribution), h.Body.LossBefore, h.Body.LossAfter)));
        return (excluded, [.. cited.Select(h => h.Entry.Hash)]);
    }

    /// <summary>The loss of θ and of θ − s·Δ (the contribution applied alone, s = judge_step) on this node's judge batch,
    /// for every candidate but its own. A lying node (measurement runs) reports the opposite of what it measured.</summary>
    private List<AttestationBody> Score(ulong round, float[] theta, IReadOnlyList<Judged> candidates, LocalTrainer judge)
    {
        judge.SetFlat(theta);
        var before = judge.Evaluate().Loss;
        if (!double.IsFinite(before)) return []; // the shared model itself is broken here: nothing to compare against
        var moved = new float[theta.Length];
        var scores = new List<AttestationBody>();
        foreach (var c in candidates)
        {
            if (c.C.Author == _self) continue;
            var delta = c.Delta.Span;
            var step = (float)_spec.JudgeStep;
            for (var k = 0; k < moved.Length; k++) moved[k] = theta[k] - step * delta[k];
            judge.SetFlat(moved);
            var after = judge.Evaluate().Loss;
            if (_ctx.Attacker is not null) after = before - (after - before);
            if (!double.IsFinite(after)) after = double.MaxValue; // a delta that breaks the model: as bad as it gets, and a finite f64
            scores.Add(new AttestationBody
            {
                Round = round, Contribution = c.C.Entry.Hash, Samples = (ulong)_spec.JudgeSamples, LossBefore = before, LossAfter = after,
            });
        }
        return scores;
    }
}
