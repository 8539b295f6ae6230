namespace P2PNode.Transport;

/// <summary>Why a connection failed at the transport level. The snake_case name is the metrics counter.</summary>
public enum TransportError
{
    HandshakeFailed,
    HandshakeTimeout,
    BadIdentityProof,
    IdentityMismatch,
    DecryptFailed,
    MalformedNoiseMessage,
    FrameTooLarge,
    ConnectionClosed,
    DialFailed,
    NotAllowed,
}
