namespace P2PNode.Compression;

/// <summary>
/// A delta payload is malformed: wrong magic or version, sizes that disagree with the expected parameter
/// count, indices out of range or out of order, non-finite values or scales, truncation or trailing bytes.
/// The decoder throws only this type for bad payload bytes, so callers can treat it as "reject the peer's
/// contribution" and record <see cref="Exception.Message"/> as the reason.
/// </summary>
public sealed class DeltaFormatException : Exception
{
    public DeltaFormatException(string message) : base(message)
    {
    }
}
