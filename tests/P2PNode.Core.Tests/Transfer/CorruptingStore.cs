using P2PNode.Transfer;

namespace P2PNode.Core.Tests.Transfer;

/// <summary>Fault injection: a real store whose served chunks have one byte flipped (a peer serving garbage).</summary>
internal sealed class CorruptingStore(IChunkStore inner) : IChunkStore
{
    public int Served;
    public Manifest? GetManifest(ObjectId id) => inner.GetManifest(id);
    public bool HasChunk(ObjectId id, int index) => inner.HasChunk(id, index);
    public void PutManifest(Manifest manifest) => inner.PutManifest(manifest);
    public void PutChunk(ObjectId id, int index, byte[] data) => inner.PutChunk(id, index, data);
    public void Remove(ObjectId id) => inner.Remove(id);

    public byte[]? GetChunk(ObjectId id, int index)
    {
        var data = (byte[]?)inner.GetChunk(id, index)?.Clone();
        if (data is null) return null;
        data[data.Length / 2] ^= 0x40;
        Interlocked.Increment(ref Served);
        return data;
    }
}
