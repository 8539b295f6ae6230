using System.Net;
using P2PNode.Nat;
using P2PNode.Nat.Pcp;

namespace P2PNode.Core.Tests.Nat;

public sealed class PcpCodecTests
{
    private static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", ""));

    private static readonly byte[] Nonce = Hex("eff608506566c9011bd735ac");
    private static readonly IPAddress Client = IPAddress.Parse("10.99.0.2");

    // A MAP response captured from miniupnpd 2.3.9: TCP 41000 -> 192.0.2.1:41000, lifetime 120, epoch 1.
    private const string MiniupnpdMapReply =
        "02 81 00 00 00000078 00000001 000000000000000000000000" +
        "eff608506566c9011bd735ac 06 000000 a028 a028 00000000000000000000ffffc0000201";

    [Fact]
    public void MapRequestMatchesTheRfcLayout()
    {
        // RFC 6887 sections 7.1 and 11.1: version 2, opcode MAP, lifetime, client IP as ::ffff:10.99.0.2,
        // then nonce, protocol 6 (TCP), reserved, internal port, suggested port, all-zeros suggested address.
        var bytes = PcpCodec.EncodeMap(Nonce, NatProtocol.Tcp, 41000, 41000, null, 30, Client);
        const string expected =
            "02 01 0000 0000001e 00000000000000000000ffff0a630002" +
            "eff608506566c9011bd735ac 06 000000 a028 a028 00000000000000000000ffff00000000";
        Assert.Equal(expected.Replace(" ", ""), Convert.ToHexStringLower(bytes));
        Assert.Equal(60, bytes.Length);
    }

    [Fact]
    public void UdpMapCarriesProtocol17AndASuggestedAddress()
    {
        var bytes = PcpCodec.EncodeMap(Nonce, NatProtocol.Udp, 7700, 0, IPAddress.Parse("192.0.2.1"), 0, Client);
        Assert.Equal(17, bytes[36]);
        Assert.Equal("00000000000000000000ffffc0000201", Convert.ToHexStringLower(bytes.AsSpan(44, 16)));
        Assert.Equal("00000000", Convert.ToHexStringLower(bytes.AsSpan(4, 4))); // lifetime 0 = delete
    }

    [Fact]
    public void AnnounceIsAHeaderWithLifetimeZero()
    {
        Assert.Equal("0200000000000000" + "00000000000000000000ffff0a630002", Convert.ToHexStringLower(PcpCodec.EncodeAnnounce(Client)));
    }

    [Fact]
    public void NonceMustBeTwelveBytes()
    {
        Assert.Throws<ArgumentException>(() => PcpCodec.EncodeMap(new byte[11], NatProtocol.Tcp, 1, 1, null, 1, Client));
    }

    [Fact]
    public void MiniupnpdMapResponseDecodes()
    {
        var reply = PcpCodec.DecodeMap(Hex(MiniupnpdMapReply), Nonce, NatProtocol.Tcp, 41000);
        Assert.Equal(new PcpMapReply(120, 1, NatProtocol.Tcp, 41000, 41000, IPAddress.Parse("192.0.2.1")), reply);
    }

    [Fact]
    public void MiniupnpdAnnounceResponseDecodes()
    {
        var reply = PcpCodec.DecodeAnnounce(Hex("028000000000000000000038000000000000000000000000"));
        Assert.Equal(new PcpAnnounceReply(0x38), reply);
    }

    [Fact]
    public void ResponseWithAnotherNonceIsNotOurs()
    {
        var otherNonce = Hex("000102030405060708090a0b");
        Assert.Null(PcpCodec.DecodeMap(Hex(MiniupnpdMapReply), otherNonce, NatProtocol.Tcp, 41000));
    }

    [Fact]
    public void ResponseToAnotherOpcodeIsNotOurs()
    {
        Assert.Null(PcpCodec.DecodeAnnounce(Hex(MiniupnpdMapReply)));
    }

    [Theory]
    [InlineData(1, NatErrorKind.UnsupportedVersion)]
    [InlineData(2, NatErrorKind.NotAuthorized)]
    [InlineData(3, NatErrorKind.MalformedRequest)]
    [InlineData(4, NatErrorKind.UnsupportedOpcode)]
    [InlineData(5, NatErrorKind.UnsupportedOption)]
    [InlineData(6, NatErrorKind.MalformedOption)]
    [InlineData(7, NatErrorKind.NetworkFailure)]
    [InlineData(8, NatErrorKind.OutOfResources)]
    [InlineData(9, NatErrorKind.UnsupportedProtocol)]
    [InlineData(10, NatErrorKind.UserQuotaExceeded)]
    [InlineData(11, NatErrorKind.CannotProvideExternal)]
    [InlineData(12, NatErrorKind.AddressMismatch)]
    [InlineData(13, NatErrorKind.ExcessiveRemotePeers)]
    [InlineData(200, NatErrorKind.UnknownGatewayError)]
    public void ResultCodesBecomePreciseGatewayErrors(int code, NatErrorKind kind)
    {
        var reply = Hex(MiniupnpdMapReply);
        reply[3] = (byte)code;
        var e = Assert.Throws<NatGatewayException>(() => PcpCodec.DecodeMap(reply, Nonce, NatProtocol.Tcp, 41000));
        Assert.Equal(kind, e.Kind);
        Assert.Equal(code, e.Code);
        Assert.Equal("PCP", e.Protocol);
    }

    [Fact]
    public void ErrorForAnotherNonceIsIgnoredNotThrown()
    {
        // A NOT_AUTHORIZED meant for another mapping's request must not fail ours.
        var reply = Hex(MiniupnpdMapReply);
        reply[3] = 2;
        Assert.Null(PcpCodec.DecodeMap(reply, Hex("000102030405060708090a0b"), NatProtocol.Tcp, 41000));
    }

    [Fact]
    public void HeaderOnlyErrorResponseIsTheError()
    {
        // miniupnpd answers a request it cannot parse with a bare header.
        var e = Assert.Throws<NatGatewayException>(() =>
            PcpCodec.DecodeMap(Hex("02 81 00 03 00000000 00000039 000000000000000000000000"), Nonce, NatProtocol.Tcp, 41000));
        Assert.Equal(NatErrorKind.MalformedRequest, e.Kind);
    }

    [Fact]
    public void NatPmpOnlyServerIsReportedAsUnsupportedVersion()
    {
        // RFC 6887 section 9: a NAT-PMP server answers a PCP request with its version-0 "unsupported version".
        var e = Assert.Throws<NatGatewayException>(() => PcpCodec.DecodeMap(Hex("0081 0001 00000039"), Nonce, NatProtocol.Tcp, 41000));
        Assert.Equal(NatErrorKind.UnsupportedVersion, e.Kind);
        Assert.Contains("NAT-PMP", e.Message);
    }

    [Theory]
    [InlineData("0281", "2 bytes")]
    [InlineData("03 81 00 00 00000078 00000001 000000000000000000000000", "version 3")]
    [InlineData("02 81 00 00 00000078 00000001 0000000000000000000000", "not a multiple of 4")]
    [InlineData("02 81 00 00 00000078 00000001", "less than the 24-byte header")]
    [InlineData("02 01 00 00 00000078 00000001 000000000000000000000000", "R bit clear")]
    [InlineData("02 81 00 00 00000078 00000001 000000000000000000000000", "expected at least 60")]
    public void MalformedResponsesAreRejectedWithTheReason(string hex, string reason)
    {
        var e = Assert.Throws<NatMalformedReplyException>(() => PcpCodec.DecodeMap(Hex(hex), Nonce, NatProtocol.Tcp, 41000));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void ResponseNamingAnotherProtocolOrPortForOurNonceIsMalformed()
    {
        var udp = Hex(MiniupnpdMapReply);
        udp[36] = 17;
        Assert.Contains("protocol 17", Assert.Throws<NatMalformedReplyException>(() => PcpCodec.DecodeMap(udp, Nonce, NatProtocol.Tcp, 41000)).Message);
        Assert.Contains("internal port 41000", Assert.Throws<NatMalformedReplyException>(() => PcpCodec.DecodeMap(Hex(MiniupnpdMapReply), Nonce, NatProtocol.Tcp, 41001)).Message);
    }

    [Fact]
    public void TooLongResponseIsRejected()
    {
        var big = new byte[1104];
        Hex(MiniupnpdMapReply).CopyTo(big, 0);
        Assert.Contains("up to 1100", Assert.Throws<NatMalformedReplyException>(() => PcpCodec.DecodeMap(big, Nonce, NatProtocol.Tcp, 41000)).Message);
    }

    [Fact]
    public void AddressesAreIpv4MappedBothWays()
    {
        var buffer = new byte[16];
        PcpCodec.WriteAddress(buffer, IPAddress.Parse("203.0.113.7"));
        Assert.Equal("00000000000000000000ffffcb007107", Convert.ToHexStringLower(buffer));
        Assert.Equal(IPAddress.Parse("203.0.113.7"), PcpCodec.ReadAddress(buffer));
        PcpCodec.WriteAddress(buffer, IPAddress.Parse("2001:db8::1"));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), PcpCodec.ReadAddress(buffer));
    }
}
