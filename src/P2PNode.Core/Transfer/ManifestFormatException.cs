namespace P2PNode.Transfer;

/// <summary>Manifest bytes that are not a valid canonical manifest; the message says which rule failed.</summary>
public sealed class ManifestFormatException(string message) : TransferException(message);
