using System.Net;

namespace P2PNode.Nat.NatPmp;

/// <summary>
/// A NAT-PMP (RFC 6886) client for one gateway: external address, create/renew and delete TCP or UDP mappings.
/// Requests are resent on the <see cref="RetransmitPolicy"/> schedule and fail after its total timeout.
/// </summary>
public sealed class NatPmpClient : IPortMapper
{
    /// <summary>The NAT-PMP (and PCP) server port.</summary>
    public const int ServerPort = 5351;

    private readonly UdpExchange _udp;
    private readonly RetransmitPolicy _policy;
    private IPAddress? _externalAddress;

    /// <param name="gateway">The gateway's address and port (normally <see cref="ServerPort"/>; tests use others).</param>
    /// <param name="localAddress">Bind here (null: let the kernel choose the address that routes to the gateway).</param>
    /// <param name="policy">Resend schedule and total timeout of every request.</param>
    public NatPmpClient(IPEndPoint gateway, IPAddress? localAddress = null, RetransmitPolicy? policy = null)
    {
        _policy = policy ?? new RetransmitPolicy();
        _policy.Validate();
        _udp = new UdpExchange(NatPmpCodec.Protocol, gateway, localAddress);
    }

    public string Protocol => NatPmpCodec.Protocol;

    public IPEndPoint Gateway => _udp.Gateway;

    /// <summary>The gateway's "seconds since start of epoch" from its last reply; it going backwards means the gateway restarted and lost its mappings.</summary>
    public uint? LastEpoch { get; private set; }

    public Task<IPAddress> GetExternalAddressAsync(CancellationToken cancellationToken) =>
        GetExternalAddressAsync(_policy, cancellationToken);

    internal async Task<IPAddress> GetExternalAddressAsync(RetransmitPolicy policy, CancellationToken cancellationToken)
    {
        var reply = await _udp.RequestAsync(NatPmpCodec.EncodeExternalAddressRequest(), "external address request",
            r => NatPmpCodec.DecodeExternalAddress(r.Span), policy, cancellationToken).ConfigureAwait(false);
        LastEpoch = reply.Epoch;
        // RFC 6886 section 3.2: no external address yet is reported as 0.0.0.0 by some gateways.
        if (reply.ExternalAddress.Equals(IPAddress.Any))
            throw new NatException(Protocol, NatErrorKind.NetworkFailure, "gateway reports external address 0.0.0.0 (its WAN side is down)");
        _externalAddress = reply.ExternalAddress;
        return reply.ExternalAddress;
    }

    public async Task<PortMapping> CreateAsync(PortMapping request, CancellationToken cancellationToken)
    {
        request.EnsureValidRequest();
        var packet = NatPmpCodec.EncodeMapRequest(request.Protocol, (ushort)request.PrivatePort, (ushort)request.PublicPort, request.LifetimeSeconds);
        var reply = await _udp.RequestAsync(packet, $"{request.Protocol} mapping request for port {request.PrivatePort}",
            r => NatPmpCodec.DecodeMap(r.Span, request.Protocol, (ushort)request.PrivatePort), _policy, cancellationToken).ConfigureAwait(false);
        LastEpoch = reply.Epoch;
        if (reply.Lifetime == 0 || reply.ExternalPort == 0)
            throw new NatMalformedReplyException(Protocol, $"success response to a create has lifetime {reply.Lifetime} and external port {reply.ExternalPort}");
        var address = _externalAddress ?? await GetExternalAddressAsync(cancellationToken).ConfigureAwait(false);
        var lifetime = TimeSpan.FromSeconds(reply.Lifetime);
        return request with { PublicPort = reply.ExternalPort, Lifetime = lifetime, Expires = DateTimeOffset.UtcNow + lifetime, PublicAddress = address };
    }

    public async Task DeleteAsync(PortMapping mapping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (mapping.PrivatePort is < 1 or > 65535) throw new ArgumentException($"private port must be 1-65535, got {mapping.PrivatePort}", nameof(mapping));
        // RFC 6886 section 3.4: lifetime 0 and suggested external port 0 delete the mapping of this internal port.
        var packet = NatPmpCodec.EncodeMapRequest(mapping.Protocol, (ushort)mapping.PrivatePort, 0, 0);
        var reply = await _udp.RequestAsync(packet, $"{mapping.Protocol} delete request for port {mapping.PrivatePort}",
            // A success with a lifetime is a late duplicate answer to an earlier renewal, not this delete's: keep waiting.
            r => NatPmpCodec.DecodeMap(r.Span, mapping.Protocol, (ushort)mapping.PrivatePort) is { Lifetime: 0 } d ? d : null,
            _policy, cancellationToken).ConfigureAwait(false);
        LastEpoch = reply.Epoch;
    }

    public ValueTask DisposeAsync()
    {
        _udp.Dispose();
        return ValueTask.CompletedTask;
    }
}
