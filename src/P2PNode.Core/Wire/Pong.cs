using MessagePack;

namespace P2PNode.Wire;

/// <summary>Answer to <see cref="Ping"/>: the same nonce.</summary>
public sealed record Pong(ulong Nonce) : WireMessage
{
    public override MessageType Type => MessageType.Pong;
    public override int FieldCount => 1;
    public override void WriteFields(ref MessagePackWriter w) => w.Write(Nonce);
    public static Pong Read(ref MessagePackReader r) => new(Fields.ReadUInt64(ref r, "pong.nonce"));
}
