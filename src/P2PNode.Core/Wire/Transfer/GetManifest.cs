using MessagePack;
using P2PNode.Transfer;

namespace P2PNode.Wire.Transfer;

/// <summary>Asks for an object's manifest; answered by <see cref="ManifestMessage"/> or <see cref="NotFound"/>
/// carrying the same request id.</summary>
public sealed record GetManifest(ulong RequestId, ObjectId Id) : WireMessage
{
    public override MessageType Type => MessageType.GetManifest;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(RequestId);
        TransferFields.WriteId(ref w, Id);
    }

    public static GetManifest Read(ref MessagePackReader r) =>
        new(Fields.ReadUInt64(ref r, "get_manifest.request_id"), TransferFields.ReadId(ref r, "get_manifest.object_id"));
}
