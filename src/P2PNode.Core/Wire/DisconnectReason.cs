namespace P2PNode.Wire;

/// <summary>Why a side closes a connection; sent in <see cref="Disconnect"/>. Wire values, never renumber.</summary>
public enum DisconnectReason : uint
{
    Normal = 0,
    Shutdown = 1,
    IdleTimeout = 2,
    ProtocolViolation = 3,
    IncompatibleVersion = 4,
    TooManyConnections = 5,
    IdentityMismatch = 6,
    Banned = 7,
    NotAllowed = 8,
    DuplicateConnection = 9,
}
