namespace P2PNode.Training.Trainer;

/// <summary>What <see cref="LocalTrainer.TrainSteps"/> did: mean training loss over the samples of these steps, the last step's loss, and throughput.</summary>
public sealed record StepStats(int Steps, long Samples, double MeanLoss, double LastLoss, double Seconds)
{
    public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : 0;
}
