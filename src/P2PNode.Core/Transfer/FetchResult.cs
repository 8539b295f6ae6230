using P2PNode.Identity;

namespace P2PNode.Transfer;

/// <summary>A completed fetch: the verified manifest (the object is complete in the store), how many chunks
/// each peer supplied, and how many chunk requests failed and were retried elsewhere.</summary>
public sealed record FetchResult(Manifest Manifest, IReadOnlyDictionary<PeerId, int> ChunksFrom, int BadChunks, int Retries);
