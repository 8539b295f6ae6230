namespace P2PNode.Training.Runtime;

/// <summary>
/// How a node serves its shared model and fetches another's: content-addressed transfer in chunks from several
/// peers, each chunk verified (src/P2PNode.Core/Transfer). The runtime checks the fetched model's hash itself.
/// </summary>
public interface IModelExchange
{
    /// <summary>Makes <paramref name="model"/> available to peers; returns its 32-byte object id.</summary>
    byte[] Offer(byte[] model);

    /// <summary>Fetches an object from these peers (printable peer ids); null when no peer could serve it.</summary>
    Task<byte[]?> FetchAsync(byte[] objectId, IReadOnlyList<string> peers, CancellationToken ct);
}
