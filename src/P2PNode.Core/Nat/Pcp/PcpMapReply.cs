using System.Net;

namespace P2PNode.Nat.Pcp;

/// <summary>A successful PCP MAP response (RFC 6887 section 11.1): what the server assigned.</summary>
internal sealed record PcpMapReply(uint Lifetime, uint Epoch, NatProtocol Protocol, ushort InternalPort, ushort ExternalPort, IPAddress ExternalAddress);
