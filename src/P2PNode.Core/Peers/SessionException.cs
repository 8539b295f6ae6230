using P2PNode.Wire;

namespace P2PNode.Peers;

/// <summary>A session could not be established or was refused; <see cref="Reason"/> says why.</summary>
public sealed class SessionException(DisconnectReason reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public DisconnectReason Reason { get; } = reason;

    /// <summary>True when the peer ended it (its Disconnect or close): then there is nobody to say goodbye to.</summary>
    public bool FromPeer { get; init; }
}
