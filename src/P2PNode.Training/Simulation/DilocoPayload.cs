namespace P2PNode.Training.Simulation;

/// <summary>
/// One encoded pseudo-gradient as a worker sent it: what a ledger would record (round, contributor, samples,
/// payload bytes). Handed to the optional observer of <see cref="DilocoSimulation.Run"/> so a caller can replay
/// or audit the aggregation.
/// </summary>
public sealed record DilocoPayload(int Round, int Worker, long Samples, byte[] Payload);
