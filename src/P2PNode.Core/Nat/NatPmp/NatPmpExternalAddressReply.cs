using System.Net;

namespace P2PNode.Nat.NatPmp;

/// <summary>A successful NAT-PMP external address response (RFC 6886 section 3.2).</summary>
internal sealed record NatPmpExternalAddressReply(uint Epoch, IPAddress ExternalAddress);
