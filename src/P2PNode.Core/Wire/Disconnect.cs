using MessagePack;

namespace P2PNode.Wire;

/// <summary>Last frame before a side closes the connection, with a machine-readable reason and a human one.</summary>
public sealed record Disconnect(DisconnectReason Reason, string Message) : WireMessage
{
    public override MessageType Type => MessageType.Disconnect;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write((uint)Reason);
        w.Write(Message);
    }

    public static Disconnect Read(ref MessagePackReader r) => new(
        (DisconnectReason)Fields.ReadUInt(ref r, "disconnect.reason"),
        Fields.ReadString(ref r, WireLimits.MaxTextLength, "disconnect.message"));
}
