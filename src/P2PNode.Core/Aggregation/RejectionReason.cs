namespace P2PNode.Aggregation;

/// <summary>
/// Why a contribution was left out of a round's aggregate. A closed set: every refusal the aggregation step gives
/// is one of these, never a message parsed back. <see cref="WrongBase"/> and <see cref="MalformedDelta"/> are
/// decided by the runtime before the policy sees the delta (they need the announced models and the payload);
/// the rest come from <see cref="AggregationPolicy"/>.
/// </summary>
public enum RejectionReason
{
    /// <summary>The contribution starts from a model nobody announced for its round.</summary>
    WrongBase,
    /// <summary>The payload does not decode to the model's length.</summary>
    MalformedDelta,
    /// <summary>The decoded delta has another length than the model.</summary>
    WrongShape,
    /// <summary>Its norm is over the policy's multiple of the round's lower median norm.</summary>
    NormOutlier,
    /// <summary>The delta holds NaN or infinity.</summary>
    Nan,
    /// <summary>Its delta is near-identical to another contribution of the round (<see cref="AggregationPolicy.MaxPairCosine"/>).</summary>
    Duplicate,
    /// <summary>Its direction opposes the rest of the round (<see cref="AggregationPolicy.MinCosineToOthers"/>).</summary>
    Opposed,
    /// <summary>More than two thirds of the round's judges found it harmful on their own held-out data (<see cref="JudgingRule"/>).</summary>
    JudgedHarmful,
    /// <summary>Anything else: a sample count that is not positive, an empty or a duplicate contributor id.</summary>
    Refused,
}

public static class RejectionReasons
{
    /// <summary>The name the Aggregation ledger entry, the metrics and the logs carry (docs/runtime.md §2). Ledgers
    /// already written hold these names and auditors compare them, so they never change.</summary>
    public static string Code(this RejectionReason reason) => reason switch
    {
        RejectionReason.WrongBase => "wrong_base",
        RejectionReason.MalformedDelta => "malformed_delta",
        RejectionReason.WrongShape => "wrong_shape",
        RejectionReason.NormOutlier => "norm_outlier",
        RejectionReason.Nan => "nan",
        RejectionReason.Refused => "refused",
        RejectionReason.JudgedHarmful => "judged_harmful",
        RejectionReason.Opposed => "opposed",
        RejectionReason.Duplicate => "duplicate",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "not a rejection reason"),
    };
}
