namespace P2PNode.Transfer;

/// <summary>A fetch that could not complete: no source left, or the object fails its own manifest. The base of
/// the transfer area's exceptions (<see cref="ManifestFormatException"/>).</summary>
public class TransferException(string message) : Exception(message);
