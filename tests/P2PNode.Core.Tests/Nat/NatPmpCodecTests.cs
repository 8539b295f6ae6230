using System.Net;
using P2PNode.Nat;
using P2PNode.Nat.NatPmp;

namespace P2PNode.Core.Tests.Nat;

public sealed class NatPmpCodecTests
{
    private static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", ""));

    [Fact]
    public void ExternalAddressRequestIsVersionZeroOpcodeZero()
    {
        Assert.Equal("0000", Convert.ToHexStringLower(NatPmpCodec.EncodeExternalAddressRequest()));
    }

    [Theory]
    // RFC 6886 section 3.3 layout: vers | op | reserved(2) | internal port | suggested external port | lifetime.
    [InlineData(NatProtocol.Tcp, 40000, 40000, 60u, "00 02 0000 9c40 9c40 0000003c")]
    [InlineData(NatProtocol.Udp, 7700, 0, 7200u, "00 01 0000 1e14 0000 00001c20")]
    [InlineData(NatProtocol.Tcp, 65535, 1, 0u, "00 02 0000 ffff 0001 00000000")]
    public void MapRequestMatchesTheRfcLayout(NatProtocol protocol, int internalPort, int externalPort, uint lifetime, string hex)
    {
        var bytes = NatPmpCodec.EncodeMapRequest(protocol, (ushort)internalPort, (ushort)externalPort, lifetime);
        Assert.Equal(hex.Replace(" ", ""), Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void ExternalAddressResponseFromMiniupnpdDecodes()
    {
        // Captured from miniupnpd 2.3.9 in the gateway fixture: epoch 3, address 192.0.2.1.
        var reply = NatPmpCodec.DecodeExternalAddress(Hex("0080 0000 00000003 c0000201"));
        Assert.NotNull(reply);
        Assert.Equal(3u, reply.Epoch);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), reply.ExternalAddress);
    }

    [Fact]
    public void MapResponseFromMiniupnpdDecodes()
    {
        // Captured: TCP 40000 -> 40000 for 60 s at epoch 57.
        var reply = NatPmpCodec.DecodeMap(Hex("0082 0000 00000039 9c40 9c40 0000003c"), NatProtocol.Tcp, 40000);
        Assert.Equal(new NatPmpMapReply(57, NatProtocol.Tcp, 40000, 40000, 60), reply);
    }

    [Fact]
    public void DeleteConfirmationHasLifetimeZero()
    {
        var reply = NatPmpCodec.DecodeMap(Hex("0081 0000 0000000e a410 0000 00000000"), NatProtocol.Udp, 42000);
        Assert.NotNull(reply);
        Assert.Equal(0u, reply.Lifetime);
        Assert.Equal(0, reply.ExternalPort);
    }

    [Theory]
    [InlineData(1, NatErrorKind.UnsupportedVersion)]
    [InlineData(2, NatErrorKind.NotAuthorized)]
    [InlineData(3, NatErrorKind.NetworkFailure)]
    [InlineData(4, NatErrorKind.OutOfResources)]
    [InlineData(5, NatErrorKind.UnsupportedOpcode)]
    [InlineData(99, NatErrorKind.UnknownGatewayError)]
    public void ResultCodesBecomePreciseGatewayErrors(int code, NatErrorKind kind)
    {
        var reply = Hex($"0082 {code:x4} 00000039 9c40 0000 00000000");
        var e = Assert.Throws<NatGatewayException>(() => NatPmpCodec.DecodeMap(reply, NatProtocol.Tcp, 40000));
        Assert.Equal(kind, e.Kind);
        Assert.Equal(code, e.Code);
        Assert.Equal("NAT-PMP", e.Protocol);
        Assert.Contains($"result {code}", e.Message);
    }

    [Fact]
    public void ShortUnsupportedVersionAnswerIsAGatewayErrorNotAMalformedReply()
    {
        // RFC 6886 section 3.5: the "unsupported version" answer is only 8 bytes.
        var e = Assert.Throws<NatGatewayException>(() => NatPmpCodec.DecodeExternalAddress(Hex("0080 0001 0000003b")));
        Assert.Equal(NatErrorKind.UnsupportedVersion, e.Kind);
    }

    [Theory]
    [InlineData("008000", "3 bytes")]
    [InlineData("0180 0000 00000003 c0000201", "version 1")]
    [InlineData("0000 0000 00000003 c0000201", "is a request")]
    [InlineData("0080 0000 00000003 c00002", "11 bytes, expected 12")]
    [InlineData("0080 0000 00000003 c0000201 00", "13 bytes, expected 12")]
    public void MalformedExternalAddressResponsesAreRejectedWithTheReason(string hex, string reason)
    {
        var e = Assert.Throws<NatMalformedReplyException>(() => NatPmpCodec.DecodeExternalAddress(Hex(hex)));
        Assert.Contains(reason, e.Message);
        Assert.Equal(NatErrorKind.MalformedReply, e.Kind);
    }

    [Fact]
    public void TruncatedMapResponseIsRejected()
    {
        var e = Assert.Throws<NatMalformedReplyException>(() => NatPmpCodec.DecodeMap(Hex("0082 0000 00000039 9c40 9c40 0000"), NatProtocol.Tcp, 40000));
        Assert.Contains("14 bytes, expected 16", e.Message);
    }

    [Fact]
    public void RepliesToOtherRequestsAreNotTakenForOurs()
    {
        // A late external-address reply while waiting for a mapping, a UDP reply for a TCP request, and a
        // reply for another internal port: each is "not ours" (null), so the client keeps waiting.
        Assert.Null(NatPmpCodec.DecodeMap(Hex("0080 0000 00000003 c0000201"), NatProtocol.Tcp, 40000));
        Assert.Null(NatPmpCodec.DecodeMap(Hex("0081 0000 00000039 9c40 9c40 0000003c"), NatProtocol.Tcp, 40000));
        Assert.Null(NatPmpCodec.DecodeMap(Hex("0082 0000 00000039 9c41 9c41 0000003c"), NatProtocol.Tcp, 40000));
        Assert.Null(NatPmpCodec.DecodeExternalAddress(Hex("0082 0000 00000039 9c40 9c40 0000003c")));
    }
}
