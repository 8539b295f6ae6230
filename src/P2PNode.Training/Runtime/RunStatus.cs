using P2PNode.Hashing;
using P2PNode.Transfer;

namespace P2PNode.Training.Runtime;

/// <summary>A node's Status broadcast: its open round, the model it holds for it (hash, and the object id it
/// serves it under, zeros if none), the model's sketch and the object id under which it serves the outer optimizer
/// state that goes with that model (zeros: none; null: a status in the older layout without the field).</summary>
public sealed record RunStatus(ulong Round, Digest256 ModelHash, ObjectId ObjectId, float[] Sketch, ObjectId? MomentumId = null)
{
    public bool Serves => ObjectId != default;

    /// <summary>The sender serves its outer optimizer state too (docs/runtime.md §6).</summary>
    public bool ServesMomentum => MomentumId is { } momentum && momentum != default;
}
