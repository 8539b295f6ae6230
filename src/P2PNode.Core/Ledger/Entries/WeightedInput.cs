namespace P2PNode.Ledger.Entries;

/// <summary>A contribution an aggregation used, by entry hash, with the weight it received.</summary>
public sealed record WeightedInput(byte[] Contribution, double Weight);
