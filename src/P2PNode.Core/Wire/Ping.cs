namespace P2PNode.Wire;

/// <summary>Liveness probe and keep-alive; the receiver answers with a <see cref="Pong"/> echoing the nonce.</summary>
public sealed record Ping(ulong Nonce) : WireMessage
{
    public override MessageType Type => MessageType.Ping;
}
