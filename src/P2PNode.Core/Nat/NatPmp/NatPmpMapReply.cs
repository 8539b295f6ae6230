namespace P2PNode.Nat.NatPmp;

/// <summary>A successful NAT-PMP mapping response (RFC 6886 section 3.3); Lifetime 0 confirms a deletion.</summary>
internal sealed record NatPmpMapReply(uint Epoch, NatProtocol Protocol, ushort InternalPort, ushort ExternalPort, uint Lifetime);
