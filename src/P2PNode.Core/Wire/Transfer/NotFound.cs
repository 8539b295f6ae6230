using MessagePack;
using P2PNode.Transfer;

namespace P2PNode.Wire.Transfer;

/// <summary>The sender does not have what request <see cref="RequestId"/> asked for (manifest or chunk).</summary>
public sealed record NotFound(ulong RequestId, ObjectId Id) : WireMessage
{
    public override MessageType Type => MessageType.NotFound;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(RequestId);
        TransferFields.WriteId(ref w, Id);
    }

    public static NotFound Read(ref MessagePackReader r) =>
        new(Fields.ReadUInt64(ref r, "not_found.request_id"), TransferFields.ReadId(ref r, "not_found.object_id"));
}
