using System.Net;

namespace P2PNode.Nat.Upnp;

/// <summary>A gateway's answer to GetSpecificPortMappingEntry: where an external port forwards to, and for how long.</summary>
public sealed record UpnpPortMappingEntry(NatProtocol Protocol, int PublicPort, IPAddress InternalClient, int InternalPort,
    bool Enabled, string Description, TimeSpan RemainingLease);
