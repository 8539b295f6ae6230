namespace P2PNode.Wire;

/// <summary>Element 0 of every v1 message array. Codes are part of the wire format: never renumber.</summary>
public enum MessageType : uint
{
    Hello = 1,
    Ping = 2,
    Pong = 3,
    Disconnect = 4,
    Error = 5,
}
