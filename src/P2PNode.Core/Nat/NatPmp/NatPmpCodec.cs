using System.Buffers.Binary;
using System.Net;

namespace P2PNode.Nat.NatPmp;

/// <summary>
/// NAT-PMP (RFC 6886) packets, as pure functions. All fields are big-endian.
/// <code>
/// external address request:  0 | 0                                             (2 bytes)
/// external address response: 0 | 128 | result(2) | epoch(4) | address(4)      (12 bytes)
/// mapping request:  0 | op(1 = UDP, 2 = TCP) | 0(2) | internal port(2) | suggested external port(2) | lifetime(4)  (12 bytes)
/// mapping response: 0 | 128+op | result(2) | epoch(4) | internal port(2) | mapped external port(2) | lifetime(4) (16 bytes)
/// </code>
/// A response with a non-zero result code may be shorter (an "unsupported version" answer has 8 bytes), so the
/// result code is read, and acted on, before the length of a success is checked.
/// </summary>
internal static class NatPmpCodec
{
    public const string Protocol = "NAT-PMP";
    public const byte Version = 0;
    public const byte OpExternalAddress = 0;
    public const byte OpMapUdp = 1;
    public const byte OpMapTcp = 2;
    public const byte ReplyBit = 128;

    public static byte[] EncodeExternalAddressRequest() => [Version, OpExternalAddress];

    public static byte[] EncodeMapRequest(NatProtocol protocol, ushort internalPort, ushort suggestedExternalPort, uint lifetimeSeconds)
    {
        var b = new byte[12];
        b[0] = Version;
        b[1] = MapOpcode(protocol);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), suggestedExternalPort);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), lifetimeSeconds);
        return b;
    }

    /// <summary>Decodes an external address response; null if the datagram answers another opcode.</summary>
    public static NatPmpExternalAddressReply? DecodeExternalAddress(ReadOnlySpan<byte> reply)
    {
        if (!CheckHeader(reply, OpExternalAddress)) return null;
        if (reply.Length != 12) throw Malformed($"external address response has {reply.Length} bytes, expected 12");
        var epoch = BinaryPrimitives.ReadUInt32BigEndian(reply[4..]);
        return new NatPmpExternalAddressReply(epoch, new IPAddress(reply[8..12]));
    }

    /// <summary>
    /// Decodes a mapping response to a request for (protocol, internal port); null if the datagram answers
    /// another request (another opcode or internal port: a late reply to an earlier request).
    /// </summary>
    public static NatPmpMapReply? DecodeMap(ReadOnlySpan<byte> reply, NatProtocol protocol, ushort internalPort)
    {
        if (!CheckHeader(reply, MapOpcode(protocol))) return null;
        if (reply.Length != 16) throw Malformed($"mapping response has {reply.Length} bytes, expected 16");
        var port = BinaryPrimitives.ReadUInt16BigEndian(reply[8..]);
        if (port != internalPort) return null;
        return new NatPmpMapReply(
            BinaryPrimitives.ReadUInt32BigEndian(reply[4..]),
            protocol,
            port,
            BinaryPrimitives.ReadUInt16BigEndian(reply[10..]),
            BinaryPrimitives.ReadUInt32BigEndian(reply[12..]));
    }

    /// <summary>The meaning of a NAT-PMP result code (RFC 6886 section 3.5).</summary>
    public static (NatErrorKind Kind, string Name) ResultCode(int code) => code switch
    {
        1 => (NatErrorKind.UnsupportedVersion, "Unsupported Version"),
        2 => (NatErrorKind.NotAuthorized, "Not Authorized/Refused"),
        3 => (NatErrorKind.NetworkFailure, "Network Failure"),
        4 => (NatErrorKind.OutOfResources, "Out of resources"),
        5 => (NatErrorKind.UnsupportedOpcode, "Unsupported opcode"),
        _ => (NatErrorKind.UnknownGatewayError, "unknown result code"),
    };

    private static byte MapOpcode(NatProtocol protocol) => protocol switch
    {
        NatProtocol.Udp => OpMapUdp,
        NatProtocol.Tcp => OpMapTcp,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "not TCP or UDP"),
    };

    // Returns false for a reply to another opcode; throws for a malformed header or a refusal.
    private static bool CheckHeader(ReadOnlySpan<byte> reply, byte requestOpcode)
    {
        if (reply.Length < 4) throw Malformed($"response has {reply.Length} bytes, less than the 4-byte header");
        if (reply[0] != Version) throw Malformed($"response version {reply[0]}, expected {Version}");
        if (reply[1] < ReplyBit) throw Malformed($"opcode {reply[1]} is a request, not a response");
        if (reply[1] != ReplyBit + requestOpcode) return false;
        var result = BinaryPrimitives.ReadUInt16BigEndian(reply[2..]);
        if (result != 0)
        {
            var (kind, name) = ResultCode(result);
            throw new NatGatewayException(Protocol, kind, result, $"gateway refused opcode {requestOpcode}: result {result} ({name})");
        }
        return true;
    }

    private static NatMalformedReplyException Malformed(string message) => new(Protocol, message);
}
