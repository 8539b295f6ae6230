namespace P2PNode.Wire;

/// <summary>A well-formed frame of a type this node does not know (a newer minor version may send those):
/// answered with an Error, the connection stays open. Catch it before <see cref="WireFormatException"/>, its base,
/// which closes the connection after repeated malformed frames.</summary>
public sealed class UnknownMessageTypeException(uint type) : WireFormatException($"unknown message type {type}")
{
    public uint MessageType { get; } = type;
}
