namespace P2PNode.Training.Runtime;

/// <summary>A node's Status broadcast: its open round, the model it holds for it (hash, and the object id it
/// serves it under, zeros if none) and the model's sketch.</summary>
public sealed record RunStatus(ulong Round, byte[] ModelHash, byte[] ObjectId, float[] Sketch)
{
    public bool Serves => ObjectId.Any(b => b != 0);
}
