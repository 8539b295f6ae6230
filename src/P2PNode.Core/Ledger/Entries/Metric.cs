namespace P2PNode.Ledger.Entries;

/// <summary>A named evaluation figure (accuracy, perplexity...). Encoded as str name, f64 value.</summary>
public sealed record Metric(string Name, double Value);
