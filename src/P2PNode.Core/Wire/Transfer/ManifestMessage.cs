using MessagePack;
using P2PNode.Transfer;

namespace P2PNode.Wire.Transfer;

/// <summary>The canonical manifest bytes of the object asked for. The codec only bounds the length; the
/// receiver parses them and checks SHA-256(bytes) equals the object id it asked for.</summary>
public sealed record ManifestMessage(ulong RequestId, byte[] Manifest) : WireMessage
{
    public override MessageType Type => MessageType.Manifest;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(RequestId);
        w.Write(Manifest);
    }

    public static ManifestMessage Read(ref MessagePackReader r) =>
        new(Fields.ReadUInt64(ref r, "manifest.request_id"), Fields.ReadBytes(ref r, TransferLimits.MaxManifestLength, "manifest.bytes"));

    public bool Equals(ManifestMessage? other) => other is not null && RequestId == other.RequestId && Manifest.AsSpan().SequenceEqual(other.Manifest);
    public override int GetHashCode() => HashCode.Combine(RequestId, Manifest.Length);
}
