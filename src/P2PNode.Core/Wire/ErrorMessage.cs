using MessagePack;

namespace P2PNode.Wire;

/// <summary>Reports a problem with a frame the peer sent; the connection stays open unless a Disconnect follows.</summary>
public sealed record ErrorMessage(ErrorCode Code, string Message) : WireMessage
{
    public override MessageType Type => MessageType.Error;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write((uint)Code);
        w.Write(Message);
    }

    public static ErrorMessage Read(ref MessagePackReader r) => new(
        (ErrorCode)Fields.ReadUInt(ref r, "error.code"),
        Fields.ReadString(ref r, WireLimits.MaxTextLength, "error.message"));
}
