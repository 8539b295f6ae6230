using MessagePack;
using P2PNode.Transfer;

namespace P2PNode.Wire.Transfer;

/// <summary>Announces that the sender holds the whole object and serves it. The object id is the manifest's
/// hash, so no manifest travels here; <see cref="Size"/> lets a receiver decide whether it wants it.
/// Announcing and then not serving is a broken promise (scored).</summary>
public sealed record Have(ObjectId Id, ulong Size) : WireMessage
{
    public override MessageType Type => MessageType.Have;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        TransferFields.WriteId(ref w, Id);
        w.Write(Size);
    }

    public static Have Read(ref MessagePackReader r) =>
        new(TransferFields.ReadId(ref r, "have.object_id"), Fields.ReadUInt64(ref r, "have.size"));
}
