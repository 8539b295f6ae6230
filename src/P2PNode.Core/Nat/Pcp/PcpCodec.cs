using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace P2PNode.Nat.Pcp;

/// <summary>
/// PCP (RFC 6887) packets for the ANNOUNCE and MAP opcodes, as pure functions. Big-endian; addresses are 16
/// bytes, IPv4 ones as IPv4-mapped IPv6 (::ffff:a.b.c.d).
/// <code>
/// request header (24):  version=2 | R=0,opcode(7 bits) | reserved(2) | requested lifetime(4) | client IP(16)
/// response header (24): version=2 | R=1,opcode | reserved(1) | result(1) | lifetime(4) | epoch(4) | reserved(12)
/// MAP body (36, both directions): nonce(12) | protocol(1) | reserved(3) | internal port(2) |
///                                 suggested/assigned external port(2) | suggested/assigned external IP(16)
/// </code>
/// </summary>
internal static class PcpCodec
{
    public const string Protocol = "PCP";
    public const byte Version = 2;
    public const byte OpAnnounce = 0;
    public const byte OpMap = 1;
    public const byte ResponseBit = 0x80;
    public const int HeaderLength = 24;
    public const int MapLength = HeaderLength + 36;
    public const int NonceLength = 12;
    public const int MaxLength = 1100;
    public const byte IanaTcp = 6;
    public const byte IanaUdp = 17;

    public static byte[] EncodeAnnounce(IPAddress client)
    {
        var b = new byte[HeaderLength];
        WriteHeader(b, OpAnnounce, 0, client);
        return b;
    }

    public static byte[] EncodeMap(ReadOnlySpan<byte> nonce, NatProtocol protocol, ushort internalPort, ushort suggestedExternalPort,
        IPAddress? suggestedExternalAddress, uint lifetimeSeconds, IPAddress client)
    {
        if (nonce.Length != NonceLength) throw new ArgumentException($"nonce must be {NonceLength} bytes, got {nonce.Length}", nameof(nonce));
        var b = new byte[MapLength];
        WriteHeader(b, OpMap, lifetimeSeconds, client);
        nonce.CopyTo(b.AsSpan(24));
        b[36] = IanaProtocol(protocol);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(40), internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(42), suggestedExternalPort);
        // No preference is the all-zeros address of the family: ::ffff:0.0.0.0 for IPv4 (RFC 6887 section 11.1).
        WriteAddress(b.AsSpan(44), suggestedExternalAddress ?? IPAddress.Any);
        return b;
    }

    /// <summary>Decodes an ANNOUNCE response; null if the datagram answers another opcode.</summary>
    public static PcpAnnounceReply? DecodeAnnounce(ReadOnlySpan<byte> reply)
    {
        if (!CheckHeader(reply, OpAnnounce, out var result)) return null;
        ThrowIfRefused(result, OpAnnounce);
        return new PcpAnnounceReply(BinaryPrimitives.ReadUInt32BigEndian(reply[8..]));
    }

    /// <summary>
    /// Decodes a MAP response to the request with <paramref name="nonce"/>; null if the datagram answers another
    /// request (another opcode or nonce: a late reply, or one meant for another mapping).
    /// </summary>
    public static PcpMapReply? DecodeMap(ReadOnlySpan<byte> reply, ReadOnlySpan<byte> nonce, NatProtocol protocol, ushort internalPort)
    {
        if (!CheckHeader(reply, OpMap, out var result)) return null;
        if (reply.Length < MapLength)
        {
            // An error response may omit the opcode body (e.g. to a request the server could not parse).
            ThrowIfRefused(result, OpMap);
            throw Malformed($"MAP response has {reply.Length} bytes, expected at least {MapLength}");
        }
        if (!reply.Slice(24, NonceLength).SequenceEqual(nonce)) return null; // RFC 6887 section 11.3: not ours
        ThrowIfRefused(result, OpMap);
        if (reply[36] != IanaProtocol(protocol)) throw Malformed($"MAP response protocol {reply[36]}, requested {IanaProtocol(protocol)}");
        var port = BinaryPrimitives.ReadUInt16BigEndian(reply[40..]);
        if (port != internalPort) throw Malformed($"MAP response internal port {port}, requested {internalPort}");
        return new PcpMapReply(
            BinaryPrimitives.ReadUInt32BigEndian(reply[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(reply[8..]),
            protocol,
            port,
            BinaryPrimitives.ReadUInt16BigEndian(reply[42..]),
            ReadAddress(reply.Slice(44, 16)));
    }

    /// <summary>The meaning of a PCP result code (RFC 6887 section 7.4).</summary>
    public static (NatErrorKind Kind, string Name) ResultCode(int code) => code switch
    {
        1 => (NatErrorKind.UnsupportedVersion, "UNSUPP_VERSION"),
        2 => (NatErrorKind.NotAuthorized, "NOT_AUTHORIZED"),
        3 => (NatErrorKind.MalformedRequest, "MALFORMED_REQUEST"),
        4 => (NatErrorKind.UnsupportedOpcode, "UNSUPP_OPCODE"),
        5 => (NatErrorKind.UnsupportedOption, "UNSUPP_OPTION"),
        6 => (NatErrorKind.MalformedOption, "MALFORMED_OPTION"),
        7 => (NatErrorKind.NetworkFailure, "NETWORK_FAILURE"),
        8 => (NatErrorKind.OutOfResources, "NO_RESOURCES"),
        9 => (NatErrorKind.UnsupportedProtocol, "UNSUPP_PROTOCOL"),
        10 => (NatErrorKind.UserQuotaExceeded, "USER_EX_QUOTA"),
        11 => (NatErrorKind.CannotProvideExternal, "CANNOT_PROVIDE_EXTERNAL"),
        12 => (NatErrorKind.AddressMismatch, "ADDRESS_MISMATCH"),
        13 => (NatErrorKind.ExcessiveRemotePeers, "EXCESSIVE_REMOTE_PEERS"),
        _ => (NatErrorKind.UnknownGatewayError, "unknown result code"),
    };

    public static void WriteAddress(Span<byte> destination, IPAddress address)
    {
        var v6 = address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        if (!v6.TryWriteBytes(destination[..16], out _)) throw new ArgumentException($"cannot write address {address}");
    }

    public static IPAddress ReadAddress(ReadOnlySpan<byte> source)
    {
        var a = new IPAddress(source[..16]);
        return a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
    }

    private static void WriteHeader(Span<byte> b, byte opcode, uint lifetime, IPAddress client)
    {
        b[0] = Version;
        b[1] = opcode;
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], lifetime);
        WriteAddress(b[8..], client);
    }

    private static byte IanaProtocol(NatProtocol protocol) => protocol switch
    {
        NatProtocol.Tcp => IanaTcp,
        NatProtocol.Udp => IanaUdp,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "not TCP or UDP"),
    };

    // Returns false for a reply to another opcode; throws for a malformed header or a version refusal.
    private static bool CheckHeader(ReadOnlySpan<byte> reply, byte opcode, out byte result)
    {
        result = 0;
        if (reply.Length < 4) throw Malformed($"response has {reply.Length} bytes, less than 4");
        if (reply[0] == 0)
        {
            // A NAT-PMP-only server answers a PCP request with its own "unsupported version" (RFC 6887 section 9).
            var code = BinaryPrimitives.ReadUInt16BigEndian(reply[2..]);
            if (code == 1) throw new NatGatewayException(Protocol, NatErrorKind.UnsupportedVersion, 1, "gateway speaks NAT-PMP (version 0) only");
            throw Malformed($"response version 0 (NAT-PMP) with result {code}");
        }
        if (reply[0] != Version)
        {
            if (reply.Length >= HeaderLength && reply[3] == 1)
                throw new NatGatewayException(Protocol, NatErrorKind.UnsupportedVersion, 1, $"gateway speaks PCP version {reply[0]}, not {Version}");
            throw Malformed($"response version {reply[0]}, expected {Version}");
        }
        if (reply.Length > MaxLength || reply.Length % 4 != 0)
            throw Malformed($"response length {reply.Length} is not a multiple of 4 up to {MaxLength}");
        if (reply.Length < HeaderLength) throw Malformed($"response has {reply.Length} bytes, less than the {HeaderLength}-byte header");
        if ((reply[1] & ResponseBit) == 0) throw Malformed($"R bit clear: opcode byte 0x{reply[1]:x2} is a request");
        if ((reply[1] & 0x7f) != opcode) return false;
        result = reply[3];
        return true;
    }

    private static void ThrowIfRefused(byte result, byte opcode)
    {
        if (result == 0) return;
        var (kind, name) = ResultCode(result);
        throw new NatGatewayException(Protocol, kind, result, $"gateway refused opcode {opcode}: result {result} ({name})");
    }

    private static NatMalformedReplyException Malformed(string message) => new(Protocol, message);
}
