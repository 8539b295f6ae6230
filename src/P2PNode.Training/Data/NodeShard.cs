namespace P2PNode.Training.Data;

/// <summary>One node's part of a dataset: indices it trains on and its own held-out indices (disjoint, ascending).</summary>
public sealed record NodeShard(int Node, int[] Train, int[] HeldOut)
{
    public int Count => Train.Length + HeldOut.Length;
}
