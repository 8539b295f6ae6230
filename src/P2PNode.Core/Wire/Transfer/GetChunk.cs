using MessagePack;
using P2PNode.Transfer;

namespace P2PNode.Wire.Transfer;

/// <summary>Asks for chunk <see cref="Index"/> (0-based) of an object; answered by <see cref="Chunk"/> or
/// <see cref="NotFound"/> with the same request id.</summary>
public sealed record GetChunk(ulong RequestId, ObjectId Id, uint Index) : WireMessage
{
    public override MessageType Type => MessageType.GetChunk;
    public override int FieldCount => 3;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(RequestId);
        TransferFields.WriteId(ref w, Id);
        w.Write(Index);
    }

    public static GetChunk Read(ref MessagePackReader r) => new(
        Fields.ReadUInt64(ref r, "get_chunk.request_id"),
        TransferFields.ReadId(ref r, "get_chunk.object_id"),
        TransferFields.ReadIndex(ref r, "get_chunk.index"));
}
