namespace P2PNode.Wire;

/// <summary>Last frame before a side closes the connection, with a machine-readable reason and a human one.</summary>
public sealed record Disconnect(DisconnectReason Reason, string Message) : WireMessage
{
    public override MessageType Type => MessageType.Disconnect;
}
