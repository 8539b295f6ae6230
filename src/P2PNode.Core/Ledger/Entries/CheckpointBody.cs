using System.Text.Json.Nodes;

namespace P2PNode.Ledger.Entries;

/// <summary>A full model a newcomer can fetch by content: its hash, size and the hashes of its fixed-size
/// chunks (so each chunk fetched from any peer is checked on arrival).</summary>
public sealed record CheckpointBody : EntryBody
{
    public required ulong Round { get; init; }
    public required byte[] Model { get; init; }
    public required ulong Size { get; init; }
    public required uint ChunkSize { get; init; }
    public IReadOnlyList<byte[]> Chunks { get; init; } = [];

    public override EntryKind Kind => EntryKind.Checkpoint;

    public override void Write(CanonicalWriter w)
    {
        w.U64(Round); w.Hash(Model); w.U64(Size); w.U32(ChunkSize); w.List(Chunks, static (w, c) => w.Hash(c));
    }

    public static CheckpointBody ReadFrom(ref CanonicalReader r)
    {
        var round = r.U64("round");
        var model = r.Hash("model");
        var size = r.U64("size");
        var chunkSize = r.U32("chunk_size");
        var chunks = new byte[r.Count("chunks")][];
        for (var i = 0; i < chunks.Length; i++) chunks[i] = r.Hash("chunk");
        return new() { Round = round, Model = model, Size = size, ChunkSize = chunkSize, Chunks = chunks };
    }

    public override JsonObject ToJson() => new()
    {
        ["round"] = Round, ["model"] = Hex(Model), ["size"] = Size, ["chunk_size"] = ChunkSize,
        ["chunks"] = new JsonArray(Chunks.Select(c => (JsonNode)Hex(c)).ToArray()),
    };
}
