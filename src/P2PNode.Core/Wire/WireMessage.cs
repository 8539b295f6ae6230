namespace P2PNode.Wire;

/// <summary>A v1 application message. Each is a MessagePack array whose element 0 is its <see cref="MessageType"/>.</summary>
public abstract record WireMessage
{
    public abstract MessageType Type { get; }
}
