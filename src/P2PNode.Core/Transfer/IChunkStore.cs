namespace P2PNode.Transfer;

/// <summary>
/// Where a node keeps objects it holds or is fetching: manifests and verified chunks. Implementations are
/// thread-safe; callers verify chunks against the manifest before <see cref="PutChunk"/>.
/// </summary>
public interface IChunkStore
{
    Manifest? GetManifest(ObjectId id);

    /// <summary>The chunk's bytes, or null when this store does not have it.</summary>
    byte[]? GetChunk(ObjectId id, int index);

    bool HasChunk(ObjectId id, int index);

    void PutManifest(Manifest manifest);

    /// <summary>Stores a chunk already verified against the stored manifest.</summary>
    void PutChunk(ObjectId id, int index, byte[] data);

    /// <summary>Drops the object (manifest and chunks); nothing happens when the store does not have it.</summary>
    void Remove(ObjectId id);
}
