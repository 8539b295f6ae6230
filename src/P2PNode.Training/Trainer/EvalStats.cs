namespace P2PNode.Training.Trainer;

/// <summary>
/// Held-out evaluation. <see cref="Loss"/> is mean cross-entropy in nats per sample (classifiers) or per predicted
/// byte (LM). <see cref="Accuracy"/> is set for classifiers only, <see cref="BitsPerByte"/> (= Loss / ln 2) for the LM only.
/// </summary>
public sealed record EvalStats(long Samples, double Loss, double? Accuracy, double? BitsPerByte, double Seconds);
