using System.Net;

namespace P2PNode.Nat;

/// <summary>
/// A port mapping client for one gateway, shaped like Open.NAT's NatDevice. Implementations are safe to call
/// from several tasks: requests to one gateway are serialized.
/// </summary>
public interface IPortMapper : IAsyncDisposable
{
    /// <summary>"PCP", "NAT-PMP" or "UPnP-IGD".</summary>
    string Protocol { get; }

    /// <summary>The gateway's external (public) IPv4 address.</summary>
    Task<IPAddress> GetExternalAddressAsync(CancellationToken cancellationToken);

    /// <summary>Creates or renews a mapping; returns what the gateway granted (port, lifetime, expiry).</summary>
    Task<PortMapping> CreateAsync(PortMapping request, CancellationToken cancellationToken);

    /// <summary>Deletes a mapping this client created (identified by protocol, private and public port).</summary>
    Task DeleteAsync(PortMapping mapping, CancellationToken cancellationToken);
}
