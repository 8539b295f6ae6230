namespace P2PNode.Wire;

/// <summary>A frame that does not decode as a valid v1 message. The message says precisely what is wrong. The base
/// of the wire area's exceptions: a catch that treats <see cref="UnknownMessageTypeException"/> differently comes
/// before this one.</summary>
public class WireFormatException(string message, Exception? inner = null) : Exception(message, inner);
