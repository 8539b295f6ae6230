namespace P2PNode.Training.Trainer;

/// <summary>
/// Held-out evaluation. <see cref="Loss"/> is mean cross-entropy in nats per sample (classifiers) or per predicted
/// token (LM). <see cref="Accuracy"/> is set for classifiers only, <see cref="BitsPerByte"/> (the targets' loss in bits per UTF-8 byte they
/// stand for; Loss / ln 2 with the byte tokenizer) for the LM only.
/// </summary>
public sealed record EvalStats(long Samples, double Loss, double? Accuracy, double? BitsPerByte, double Seconds);
