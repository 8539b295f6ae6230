namespace P2PNode.Transfer;

/// <summary>
/// An <see cref="IChunkStore"/> on disk: <c>&lt;root&gt;/&lt;object id hex&gt;/manifest</c> holds the canonical
/// manifest and <c>&lt;index&gt;.chunk</c> each chunk. Files are written to a temporary name and renamed, so a
/// crash never leaves a half-written chunk under its real name; a restarted node serves what it had.
/// </summary>
public sealed class DirectoryChunkStore : IChunkStore
{
    private readonly string _root;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ObjectId, Manifest> _manifests = new();

    public DirectoryChunkStore(string root)
    {
        _root = root;
        Directory.CreateDirectory(root);
    }

    private string ObjectDir(ObjectId id) => Path.Combine(_root, id.ToString());
    private string ChunkPath(ObjectId id, int index) => Path.Combine(ObjectDir(id), $"{index}.chunk");

    public Manifest? GetManifest(ObjectId id)
    {
        if (_manifests.TryGetValue(id, out var cached)) return cached;
        var path = Path.Combine(ObjectDir(id), "manifest");
        if (!File.Exists(path)) return null;
        Manifest m;
        // A damaged file is local corruption, not a failed transfer (ManifestFormatException is a TransferException,
        // which fetch callers treat as "no source served it").
        try { m = Manifest.Parse(File.ReadAllBytes(path)); }
        catch (ManifestFormatException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        // A file edited or damaged on disk must not be served under the id it no longer matches.
        return m.Id == id ? _manifests.GetOrAdd(id, m) : throw new InvalidDataException($"{path} does not hash to {id}");
    }

    public byte[]? GetChunk(ObjectId id, int index)
    {
        var path = ChunkPath(id, index);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    public bool HasChunk(ObjectId id, int index) => File.Exists(ChunkPath(id, index));

    public void PutManifest(Manifest manifest)
    {
        Directory.CreateDirectory(ObjectDir(manifest.Id));
        WriteAtomically(Path.Combine(ObjectDir(manifest.Id), "manifest"), manifest.Bytes);
        _manifests.TryAdd(manifest.Id, manifest);
    }

    public void PutChunk(ObjectId id, int index, byte[] data)
    {
        var m = GetManifest(id) ?? throw new InvalidOperationException($"no manifest for object {id}: store it first");
        if (!m.ChunkMatches(index, data)) throw new ArgumentException($"chunk {index} does not match object {id}'s manifest", nameof(data));
        WriteAtomically(ChunkPath(id, index), data);
    }

    public void Remove(ObjectId id)
    {
        _manifests.TryRemove(id, out _);
        if (Directory.Exists(ObjectDir(id))) Directory.Delete(ObjectDir(id), recursive: true);
    }

    private static void WriteAtomically(string path, byte[] data)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, data);
        File.Move(temp, path, overwrite: true);
    }
}
