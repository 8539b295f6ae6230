using MessagePack;
using P2PNode.Transfer;

namespace P2PNode.Wire.Transfer;

/// <summary>One chunk's bytes. The receiver checks them against the hash in the manifest before storing:
/// a mismatch is a bad chunk (discarded, scored, fetched elsewhere).</summary>
public sealed record Chunk(ulong RequestId, ObjectId Id, uint Index, byte[] Data) : WireMessage
{
    public override MessageType Type => MessageType.Chunk;
    public override int FieldCount => 4;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(RequestId);
        TransferFields.WriteId(ref w, Id);
        w.Write(Index);
        w.Write(Data);
    }

    public static Chunk Read(ref MessagePackReader r) => new(
        Fields.ReadUInt64(ref r, "chunk.request_id"),
        TransferFields.ReadId(ref r, "chunk.object_id"),
        TransferFields.ReadIndex(ref r, "chunk.index"),
        Fields.ReadBytes(ref r, TransferLimits.MaxChunkSize, "chunk.data"));

    public bool Equals(Chunk? other) =>
        other is not null && RequestId == other.RequestId && Id == other.Id && Index == other.Index && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(RequestId, Id, Index, Data.Length);
}
