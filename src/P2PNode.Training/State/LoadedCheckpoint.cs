namespace P2PNode.Training.State;

/// <summary>A checkpoint that passed every check: its flat state, its verified model hash and all its metadata.</summary>
public sealed record LoadedCheckpoint(float[] Flat, byte[] ModelHash, IReadOnlyDictionary<string, string> Metadata);
