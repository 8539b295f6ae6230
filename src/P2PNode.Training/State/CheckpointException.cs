namespace P2PNode.Training.State;

/// <summary>A checkpoint or safetensors file that cannot be used: corrupt, truncated, or for another architecture.</summary>
public sealed class CheckpointException(string message) : TrainingDataException(message);
