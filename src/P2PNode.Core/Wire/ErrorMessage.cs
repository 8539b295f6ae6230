namespace P2PNode.Wire;

/// <summary>Reports a problem with a frame the peer sent; the connection stays open unless a Disconnect follows.</summary>
public sealed record ErrorMessage(ErrorCode Code, string Message) : WireMessage
{
    public override MessageType Type => MessageType.Error;
}
