namespace P2PNode.Nat;

/// <summary>The transport protocol a port mapping forwards.</summary>
public enum NatProtocol
{
    Tcp,
    Udp,
}
