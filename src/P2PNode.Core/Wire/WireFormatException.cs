namespace P2PNode.Wire;

/// <summary>A frame that does not decode as a valid v1 message. The message says precisely what is wrong.</summary>
public sealed class WireFormatException(string message, Exception? inner = null) : Exception(message, inner);
