using System.Net;
using Microsoft.Extensions.Logging;
using P2PNode.Nat.NatPmp;
using P2PNode.Nat.Pcp;
using P2PNode.Nat.Upnp;

namespace P2PNode.Nat;

/// <summary>
/// Finds a port mapping gateway, like Open.NAT's NatDiscoverer: tries each protocol of
/// <see cref="NatDiscoveryOptions.Methods"/> in order, each within its own timeout, and returns a client for the
/// first gateway that answers (the caller disposes it), or null when none does.
/// </summary>
public static class NatDiscoverer
{
    public static async Task<IPortMapper?> DiscoverAsync(NatDiscoveryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ServerPort is < 1 or > 65535) throw new ArgumentException($"ServerPort must be 1-65535, got {options.ServerPort}");
        var log = options.Logger;
        var gateway = options.Gateway;
        var gatewayLooked = false;
        var port5351Unreachable = false;
        foreach (var method in options.Methods)
        {
            if (method is NatMethod.Pcp or NatMethod.NatPmp)
            {
                if (!gatewayLooked)
                {
                    gateway ??= DefaultGateway.Find();
                    gatewayLooked = true;
                }
                if (gateway is null)
                {
                    log?.SkippedNoGateway(method);
                    continue;
                }
                if (port5351Unreachable)
                {
                    // PCP and NAT-PMP share UDP 5351: ICMP already said nobody listens there.
                    log?.SkippedUnreachable(method, gateway, options.ServerPort);
                    continue;
                }
            }
            IPortMapper? mapper = null;
            try
            {
                mapper = method switch
                {
                    NatMethod.Pcp => await ProbePcpAsync(new IPEndPoint(gateway!, options.ServerPort), options, cancellationToken).ConfigureAwait(false),
                    NatMethod.NatPmp => await ProbeNatPmpAsync(new IPEndPoint(gateway!, options.ServerPort), options, cancellationToken).ConfigureAwait(false),
                    NatMethod.UpnpIgd => await ProbeUpnpAsync(options, cancellationToken).ConfigureAwait(false),
                    _ => throw new ArgumentException($"unknown NAT method {method}"),
                };
                log?.GatewayAnswers(mapper.Protocol);
                return mapper;
            }
            catch (NatException e)
            {
                if (e.Kind == NatErrorKind.Unreachable && method is NatMethod.Pcp or NatMethod.NatPmp) port5351Unreachable = true;
                log?.MethodFailed(method, e.Message);
            }
        }
        return null;
    }

    private static async Task<IPortMapper> ProbePcpAsync(IPEndPoint server, NatDiscoveryOptions options, CancellationToken cancellationToken)
    {
        var client = new PcpClient(server, options.LocalAddress, options.Retransmit);
        try
        {
            await client.AnnounceAsync(Probe(options.PcpTimeout), cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (NatGatewayException e) when (e.Kind == NatErrorKind.UnsupportedOpcode)
        {
            // A PCP answer all the same: the server speaks PCP but not ANNOUNCE; MAP is what we need.
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<IPortMapper> ProbeNatPmpAsync(IPEndPoint server, NatDiscoveryOptions options, CancellationToken cancellationToken)
    {
        var client = new NatPmpClient(server, options.LocalAddress, options.Retransmit);
        try
        {
            await client.GetExternalAddressAsync(Probe(options.NatPmpTimeout), cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<IPortMapper> ProbeUpnpAsync(NatDiscoveryOptions options, CancellationToken cancellationToken)
    {
        var client = await UpnpIgdClient.DiscoverAsync(options.LocalAddress, options.Gateway, options.UpnpTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            // A description alone does not prove the service works (some routers list it with UPnP control off).
            await client.GetExternalAddressAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static RetransmitPolicy Probe(TimeSpan total) => RetransmitPolicy.Probe with { TotalTimeout = total };
}
