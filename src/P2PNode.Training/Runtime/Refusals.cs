using P2PNode.Aggregation;

namespace P2PNode.Training.Runtime;

/// <summary>
/// Every reason a node refuses a training message, and whether it is an offence (the sender's score drops) or a
/// round rule (the input is not used, counted as training_contributions_rejected_&lt;code&gt; and recorded in the
/// Aggregation entry, the sender keeps its standing). The line between them: a penalty is for what only a liar or
/// a broken peer sends (bytes that do not parse, a signature or author that does not match, a second entry for one
/// round, a payload that does not decode although its author signed its hash). An honest node that restarted,
/// lagged or was repaired sends contributions that start from a model others no longer hold, or are larger than
/// the round's others: punishing those split a run into nodes that had banned each other (issue 11).
/// The aggregation-time codes are those of <see cref="RejectionReason"/>, the names the ledger records.
/// docs/runtime.md §2 and docs/overlay.md §9 print this table; RefusalsTests keeps them in step.
/// </summary>
public static class Refusals
{
    public sealed record Reason(string Code, bool Offence, bool AtValidation, string Meaning);

    public static IReadOnlyList<Reason> All { get; } =
    [
        new("malformed", true, true, "the message or its entry does not parse, or the entry's signature, payload size or hash does not match"),
        new("not_author", true, true, "the entry is signed by another key than the gossip origin's"),
        new("wrong_run", true, true, "the entry belongs to another run"),
        new("equivocation", true, true, "a second, different contribution from one author for one round"),
        new(RejectionReason.MalformedDelta.Code(), true, false, "the delta (whose hash its author signed) does not decode to the model's length"),
        new(RejectionReason.WrongShape.Code(), true, false, "the decoded delta has another length than the model"),
        new(RejectionReason.WrongBase.Code(), false, false, "the contribution starts from a model nobody announced for its round (a node that restarted, lagged or was repaired)"),
        new(RejectionReason.NormOutlier.Code(), false, false, "its norm is over norm_outlier_multiple × the round's lower median norm"),
        new(RejectionReason.Nan.Code(), false, false, "the delta holds NaN or infinity"),
        new(RejectionReason.Duplicate.Code(), false, false, "its delta is near-identical to another contribution of the round: cosine at or over max_pair_cosine (§3 step 7); both are refused"),
        new(RejectionReason.Opposed.Code(), false, false, "its direction opposes the rest of the round: cosine with the sum of the others' unit directions under min_cosine (§3 step 7)"),
        new(RejectionReason.JudgedHarmful.Code(), false, false, "more than two thirds of the round's judges found it harmful on their own held-out data (§3a)"),
        new(RejectionReason.Refused.Code(), false, false, "any other aggregator refusal (e.g. a sample count of 0)"),
    ];

    private static readonly Dictionary<string, Reason> ByCode = All.ToDictionary(r => r.Code, StringComparer.Ordinal);

    /// <summary>The reason with this code; an unknown code is a bug in the caller (every code is listed here).</summary>
    public static Reason Of(string code) =>
        ByCode.TryGetValue(code, out var r) ? r : throw new ArgumentException($"refusal reason '{code}' is not in Refusals.All");

    /// <summary>An offence found after validation: the overlay did not see it, so peer scoring must be told.</summary>
    public static bool ScoredByRuntime(string code) => Of(code) is { Offence: true, AtValidation: false };
}
