using System.Collections.Concurrent;

namespace P2PNode.Transfer;

/// <summary>An <see cref="IChunkStore"/> in memory: tests, simulations, and small objects that need no disk.</summary>
public sealed class MemoryChunkStore : IChunkStore
{
    private readonly ConcurrentDictionary<ObjectId, Manifest> _manifests = new();
    private readonly ConcurrentDictionary<(ObjectId, int), byte[]> _chunks = new();

    public Manifest? GetManifest(ObjectId id) => _manifests.GetValueOrDefault(id);
    public byte[]? GetChunk(ObjectId id, int index) => _chunks.GetValueOrDefault((id, index));
    public bool HasChunk(ObjectId id, int index) => _chunks.ContainsKey((id, index));
    public void PutManifest(Manifest manifest) => _manifests.TryAdd(manifest.Id, manifest);

    public void PutChunk(ObjectId id, int index, byte[] data)
    {
        var m = GetManifest(id) ?? throw new InvalidOperationException($"no manifest for object {id}: store it first");
        if (!m.ChunkMatches(index, data)) throw new ArgumentException($"chunk {index} does not match object {id}'s manifest", nameof(data));
        _chunks[(id, index)] = data;
    }

    public void Remove(ObjectId id)
    {
        if (!_manifests.TryRemove(id, out var m)) return;
        for (var i = 0; i < m.ChunkCount; i++) _chunks.TryRemove((id, i), out _);
    }
}
