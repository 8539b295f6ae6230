namespace P2PNode.Wire;

/// <summary>Codes of the <see cref="ErrorMessage"/> message. Wire values, never renumber.</summary>
public enum ErrorCode : uint
{
    MalformedMessage = 1,
    UnknownMessageType = 2,
    FrameTooLarge = 3,
    RateLimited = 4,
    Internal = 5,
}
