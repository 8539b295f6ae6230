namespace P2PNode.Nat;

/// <summary>The gateway's reply does not follow the protocol (length, version, opcode, XML, fields).</summary>
public sealed class NatMalformedReplyException(string protocol, string message, Exception? inner = null)
    : NatException(protocol, NatErrorKind.MalformedReply, message, inner);
