namespace P2PNode.Ledger.Storage;

/// <summary>Remote ledger data was refused (bad signature, broken chain, root or proof mismatch). Nothing was stored.</summary>
public sealed class LedgerIngestException(string message) : Exception(message);
