namespace P2PNode.Nat;

/// <summary>
/// The gateway answered and refused: <see cref="Code"/> is the protocol's own result code (NAT-PMP, PCP) or
/// UPnP error code, <see cref="NatException.Kind"/> its meaning.
/// </summary>
public sealed class NatGatewayException(string protocol, NatErrorKind kind, int code, string message)
    : NatException(protocol, kind, message)
{
    public int Code { get; } = code;
}
