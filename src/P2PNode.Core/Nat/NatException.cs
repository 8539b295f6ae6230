namespace P2PNode.Nat;

/// <summary>A port mapping operation failed. <see cref="Kind"/> says why in one vocabulary for all protocols.</summary>
public class NatException(string protocol, NatErrorKind kind, string message, Exception? inner = null)
    : Exception($"{protocol}: {message}", inner)
{
    /// <summary>"PCP", "NAT-PMP" or "UPnP-IGD".</summary>
    public string Protocol { get; } = protocol;

    public NatErrorKind Kind { get; } = kind;
}
