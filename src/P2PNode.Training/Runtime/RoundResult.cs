using P2PNode.Hashing;

namespace P2PNode.Training.Runtime;

/// <summary>The shared model after aggregating <see cref="Round"/>: the base of round Round + 1.</summary>
public sealed record RoundResult(ulong Round, float[] Model, Digest256 Hash, byte[] OuterState);
