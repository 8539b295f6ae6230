using MessagePack;

namespace P2PNode.Wire;

/// <summary>Liveness probe and keep-alive; the receiver answers with a <see cref="Pong"/> echoing the nonce.</summary>
public sealed record Ping(ulong Nonce) : WireMessage
{
    public override MessageType Type => MessageType.Ping;
    public override int FieldCount => 1;
    public override void WriteFields(ref MessagePackWriter w) => w.Write(Nonce);
    public static Ping Read(ref MessagePackReader r) => new(Fields.ReadUInt64(ref r, "ping.nonce"));
}
