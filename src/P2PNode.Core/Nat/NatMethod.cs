namespace P2PNode.Nat;

/// <summary>A port mapping protocol a gateway may speak; <see cref="NatDiscoveryOptions.Methods"/> orders them.</summary>
public enum NatMethod
{
    /// <summary>Port Control Protocol, RFC 6887 (UDP 5351).</summary>
    Pcp,

    /// <summary>NAT Port Mapping Protocol, RFC 6886 (UDP 5351).</summary>
    NatPmp,

    /// <summary>UPnP Internet Gateway Device: SSDP discovery, then SOAP over HTTP.</summary>
    UpnpIgd,
}
