namespace P2PNode.Wire;

/// <summary>Answer to <see cref="Ping"/>: the same nonce.</summary>
public sealed record Pong(ulong Nonce) : WireMessage
{
    public override MessageType Type => MessageType.Pong;
}
