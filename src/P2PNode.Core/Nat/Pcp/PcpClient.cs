using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;

namespace P2PNode.Nat.Pcp;

/// <summary>
/// A PCP (RFC 6887) client for one gateway, using the MAP opcode. Each mapping has a random 96-bit nonce that
/// its renewals and its deletion reuse (the server refuses others with NOT_AUTHORIZED), so delete mappings
/// with the client that created them.
/// </summary>
public sealed class PcpClient : IPortMapper
{
    private readonly UdpExchange _udp;
    private readonly RetransmitPolicy _policy;
    private readonly ConcurrentDictionary<(NatProtocol, int), byte[]> _nonces = new();
    private IPAddress? _externalAddress;

    /// <param name="gateway">The server's address and port (normally 5351).</param>
    /// <param name="localAddress">Bind here (null: the kernel's choice for the route to the gateway).</param>
    /// <param name="policy">Resend schedule and total timeout of every request.</param>
    public PcpClient(IPEndPoint gateway, IPAddress? localAddress = null, RetransmitPolicy? policy = null)
    {
        _policy = policy ?? new RetransmitPolicy();
        _policy.Validate();
        _udp = new UdpExchange(PcpCodec.Protocol, gateway, localAddress);
    }

    public string Protocol => PcpCodec.Protocol;

    public IPEndPoint Gateway => _udp.Gateway;

    /// <summary>Our LAN address as sent in the "client IP" field; the server refuses requests where it differs from the source (ADDRESS_MISMATCH).</summary>
    public IPAddress ClientAddress => _udp.LocalEndPoint.Address;

    /// <summary>The server's epoch from its last reply; it going backwards means the server lost its state.</summary>
    public uint? LastEpoch { get; private set; }

    /// <summary>Asks the server to answer an ANNOUNCE: cheap proof that it speaks PCP, with no state created.</summary>
    internal async Task AnnounceAsync(RetransmitPolicy policy, CancellationToken cancellationToken)
    {
        var reply = await _udp.RequestAsync(PcpCodec.EncodeAnnounce(ClientAddress), "ANNOUNCE",
            r => PcpCodec.DecodeAnnounce(r.Span), policy, cancellationToken).ConfigureAwait(false);
        LastEpoch = reply.Epoch;
    }

    /// <summary>
    /// PCP has no "what is my address" opcode: the address comes with every MAP response. Without a mapping
    /// yet, this maps our own UDP socket's port for the shortest lifetime the server grants and deletes it again.
    /// </summary>
    public async Task<IPAddress> GetExternalAddressAsync(CancellationToken cancellationToken)
    {
        if (_externalAddress is not null) return _externalAddress;
        var probe = new PortMapping(NatProtocol.Udp, _udp.LocalEndPoint.Port, 0, TimeSpan.FromSeconds(1), "p2pnode address probe");
        var mapped = await CreateAsync(probe, cancellationToken).ConfigureAwait(false);
        try
        {
            await DeleteAsync(mapped, cancellationToken).ConfigureAwait(false);
        }
        catch (NatException)
        {
            // The probe expires by itself; the address is what was asked for.
        }
        return mapped.PublicAddress!;
    }

    public async Task<PortMapping> CreateAsync(PortMapping request, CancellationToken cancellationToken)
    {
        request.EnsureValidRequest();
        var key = (request.Protocol, request.PrivatePort);
        var nonce = _nonces.GetOrAdd(key, _ => RandomNumberGenerator.GetBytes(PcpCodec.NonceLength));
        var packet = PcpCodec.EncodeMap(nonce, request.Protocol, (ushort)request.PrivatePort, (ushort)request.PublicPort,
            request.PublicAddress, request.LifetimeSeconds, ClientAddress);
        var reply = await _udp.RequestAsync(packet, $"{request.Protocol} MAP request for port {request.PrivatePort}",
            r => PcpCodec.DecodeMap(r.Span, nonce, request.Protocol, (ushort)request.PrivatePort), _policy, cancellationToken).ConfigureAwait(false);
        LastEpoch = reply.Epoch;
        if (reply.Lifetime == 0 || reply.ExternalPort == 0)
            throw new NatMalformedReplyException(Protocol, $"success response to a MAP has lifetime {reply.Lifetime} and external port {reply.ExternalPort}");
        _externalAddress = reply.ExternalAddress;
        var lifetime = TimeSpan.FromSeconds(reply.Lifetime);
        return request with
        {
            PublicPort = reply.ExternalPort,
            Lifetime = lifetime,
            Expires = DateTimeOffset.UtcNow + lifetime,
            PublicAddress = reply.ExternalAddress,
        };
    }

    public async Task DeleteAsync(PortMapping mapping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (mapping.PrivatePort is < 1 or > 65535) throw new ArgumentException($"private port must be 1-65535, got {mapping.PrivatePort}", nameof(mapping));
        var key = (mapping.Protocol, mapping.PrivatePort);
        // Without the creating nonce the server will answer NOT_AUTHORIZED; try anyway so the caller learns that.
        var nonce = _nonces.TryGetValue(key, out var known) ? known : RandomNumberGenerator.GetBytes(PcpCodec.NonceLength);
        var packet = PcpCodec.EncodeMap(nonce, mapping.Protocol, (ushort)mapping.PrivatePort, (ushort)mapping.PublicPort, null, 0, ClientAddress);
        var reply = await _udp.RequestAsync(packet, $"{mapping.Protocol} MAP delete for port {mapping.PrivatePort}",
            // A success with a lifetime is a late duplicate answer to an earlier renewal, not this delete's: keep waiting.
            r => PcpCodec.DecodeMap(r.Span, nonce, mapping.Protocol, (ushort)mapping.PrivatePort) is { Lifetime: 0 } d ? d : null,
            _policy, cancellationToken).ConfigureAwait(false);
        LastEpoch = reply.Epoch;
        _nonces.TryRemove(key, out _);
    }

    public ValueTask DisposeAsync()
    {
        _udp.Dispose();
        return ValueTask.CompletedTask;
    }
}
