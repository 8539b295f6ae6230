using P2PNode.Identity;
using P2PNode.Transfer;

namespace P2PNode.Training.Runtime;

/// <summary>
/// How a node serves its shared model and fetches another's: content-addressed transfer in chunks from several
/// peers, each chunk verified (src/P2PNode.Core/Transfer). The runtime checks the fetched model's hash itself.
/// </summary>
public interface IModelExchange
{
    /// <summary>Makes <paramref name="model"/> available to peers; returns its object id.</summary>
    ObjectId Offer(byte[] model);

    /// <summary>Fetches an object from these peers (none: any that holds it); null when no peer could serve it.</summary>
    Task<byte[]?> FetchAsync(ObjectId objectId, IReadOnlyList<PeerId> peers, CancellationToken ct);
}
