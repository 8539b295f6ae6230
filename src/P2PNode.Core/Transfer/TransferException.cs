namespace P2PNode.Transfer;

/// <summary>A fetch that could not complete: no source left, or the object fails its own manifest.</summary>
public sealed class TransferException(string message) : Exception(message);
