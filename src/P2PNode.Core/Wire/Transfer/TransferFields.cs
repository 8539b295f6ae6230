using MessagePack;
using P2PNode.Transfer;

namespace P2PNode.Wire.Transfer;

/// <summary>Strict readers for the field shapes transfer messages add to <see cref="Fields"/>.</summary>
internal static class TransferFields
{
    public static ObjectId ReadId(ref MessagePackReader r, string name) =>
        ObjectId.FromBytes(Fields.ReadBytes(ref r, ObjectId.Length, name, exact: true));

    public static void WriteId(ref MessagePackWriter w, ObjectId id) => w.Write(id.ToBytes());

    public static uint ReadIndex(ref MessagePackReader r, string name)
    {
        var index = Fields.ReadUInt(ref r, name);
        if (index >= TransferLimits.MaxChunks) throw new WireFormatException($"{name} is {index}, limit {TransferLimits.MaxChunks - 1}");
        return index;
    }
}
