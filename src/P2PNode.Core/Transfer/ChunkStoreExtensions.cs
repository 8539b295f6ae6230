namespace P2PNode.Transfer;

/// <summary>Whole-object operations every <see cref="IChunkStore"/> gets from its chunk operations.</summary>
public static class ChunkStoreExtensions
{
    /// <summary>Splits <paramref name="data"/> into chunks, stores manifest and chunks, returns the manifest.</summary>
    public static Manifest AddObject(this IChunkStore store, ReadOnlySpan<byte> data, int chunkSize = TransferLimits.DefaultChunkSize)
    {
        var manifest = Manifest.Describe(data, chunkSize);
        store.PutManifest(manifest);
        for (var i = 0; i < manifest.ChunkCount; i++)
            store.PutChunk(manifest.Id, i, data.Slice(i * chunkSize, manifest.ChunkLength(i)).ToArray());
        return manifest;
    }

    /// <summary>True when the manifest and every chunk are present.</summary>
    public static bool IsComplete(this IChunkStore store, ObjectId id)
    {
        var m = store.GetManifest(id);
        if (m is null) return false;
        for (var i = 0; i < m.ChunkCount; i++)
            if (!store.HasChunk(id, i)) return false;
        return true;
    }

    /// <summary>Reassembles a complete object and checks it against the manifest's whole-object hash.</summary>
    public static byte[] ReadObject(this IChunkStore store, ObjectId id)
    {
        var m = store.GetManifest(id) ?? throw new KeyNotFoundException($"no manifest for object {id}");
        var data = new byte[m.Size];
        for (var i = 0; i < m.ChunkCount; i++)
        {
            var chunk = store.GetChunk(id, i) ?? throw new KeyNotFoundException($"object {id} lacks chunk {i}");
            if (!m.ChunkMatches(i, chunk)) throw new InvalidDataException($"stored chunk {i} of object {id} does not match its hash");
            chunk.CopyTo(data, (long)i * m.ChunkSize);
        }
        if (!System.Security.Cryptography.SHA256.HashData(data).AsSpan().SequenceEqual(m.ObjectHash))
            throw new InvalidDataException($"object {id} reassembled does not match the manifest's object hash");
        return data;
    }
}
