using System.Net;
using Microsoft.Extensions.Logging;

namespace P2PNode.Nat;

/// <summary>How <see cref="NatDiscoverer"/> looks for a gateway that maps ports.</summary>
public sealed record NatDiscoveryOptions
{
    /// <summary>
    /// The gateway for PCP and NAT-PMP (their server is the default router), and the only device allowed to
    /// answer SSDP. Null: the IPv4 default gateway from /proc/net/route, and any SSDP responder.
    /// </summary>
    public IPAddress? Gateway { get; init; }

    /// <summary>Our LAN address to send from. Null: the address the kernel picks for the route to the gateway.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>Protocols to try, in order; the first whose gateway answers wins. See docs/nat.md for why PCP leads.</summary>
    public IReadOnlyList<NatMethod> Methods { get; init; } = [NatMethod.Pcp, NatMethod.NatPmp, NatMethod.UpnpIgd];

    /// <summary>Budget of the PCP probe (an ANNOUNCE, resent at 250 and 750 ms). A LAN gateway answers in milliseconds.</summary>
    public TimeSpan PcpTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Budget of the NAT-PMP probe (an external address request, resent like PCP's).</summary>
    public TimeSpan NatPmpTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Budget of UPnP discovery: SSDP search (devices may delay answers by up to MX = timeout - 1 s) plus the
    /// description fetch; also each later SOAP request's HTTP timeout.
    /// </summary>
    public TimeSpan UpnpTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Resend schedule and total timeout of PCP and NAT-PMP requests after discovery (create, renew, delete).</summary>
    public RetransmitPolicy Retransmit { get; init; } = new();

    /// <summary>UDP port of the PCP / NAT-PMP server: 5351 on every gateway; other values are for tests.</summary>
    public int ServerPort { get; init; } = NatPmp.NatPmpClient.ServerPort;

    /// <summary>Where probe failures are reported (Debug) and the winner (Information). Null: nowhere.</summary>
    public ILogger? Logger { get; init; }
}
