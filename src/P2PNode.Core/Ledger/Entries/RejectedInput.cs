namespace P2PNode.Ledger.Entries;

/// <summary>A contribution an aggregation refused, by entry hash, with the reason (e.g. "norm_bound", "nan").</summary>
public sealed record RejectedInput(byte[] Contribution, string Reason);
