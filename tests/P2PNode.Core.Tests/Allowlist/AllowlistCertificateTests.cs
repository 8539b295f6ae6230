using P2PNode.Identity;
using P2PNode.Node;

namespace P2PNode.Core.Tests.Allowlist;

public sealed class AllowlistCertificateTests
{
    // docs/transfer.md section 6 example; the bytes were produced independently with PyNaCl.
    private const string FileLine = "gTl3Dqh9F19Wo1Rmw0x+zMuNipG07jeiXfYPW4/Js5QAAAAAazbsgLxcQORT++xxyQr44AHBMsaQbTP3O5j9iBD4uDKhhdmaRVEjNLQ0tbM/3IoZUrcv0MQeC5pfaLqzSjpK9y9ocQo=";

    [Fact]
    public void GoldenCertificateMatchesTheDocumentedBytes()
    {
        using var federation = NodeIdentity.FromPrivateKey(Enumerable.Repeat((byte)1, 32).ToArray());
        using var member = NodeIdentity.FromPrivateKey(Enumerable.Repeat((byte)2, 32).ToArray());
        var expiry = DateTimeOffset.FromUnixTimeSeconds(1798761600);
        Assert.Equal("7032706e6f64652d6d656d6265723a8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394000000006b36ec80",
            Convert.ToHexStringLower(AllowlistCertificate.SignedBytes(member.PeerId, expiry)));
        var cert = AllowlistCertificate.Issue(federation, member.PeerId, expiry);
        Assert.Equal(FileLine, Convert.ToBase64String(cert.ToBytes()));
        Assert.Equal(["member-cert:0:AAAAAGs27IC8XEDkU/vscckK+OABwTLGkG0z9zuY/YgQ+Lgy", "member-cert:1:oYXZmkVRIzS0NLWzP9yKGVK3L9DEHguaX2i6s0o6SvcvaHEK"],
            cert.ToCapabilities());
        Assert.Equal(cert, AllowlistCertificate.FromCapabilities(member.PeerId, ["gossip/1", .. cert.ToCapabilities()]));
        Assert.Null(cert.Check(federation.PublicKey, expiry.AddSeconds(-1)));
        Assert.Equal("membership certificate expired at 2027-01-01 00:00:00Z", cert.Check(federation.PublicKey, expiry));
    }

    [Fact]
    public void MalformedCertificateCapabilitiesAreRejectedPrecisely()
    {
        using var member = NodeIdentity.Generate();
        Assert.Null(AllowlistCertificate.FromCapabilities(member.PeerId, ["gossip/1"]));
        Assert.Equal("membership certificate has 1 parts, needs 2",
            Assert.Throws<FormatException>(() => AllowlistCertificate.FromCapabilities(member.PeerId, ["member-cert:0:AAAA"])).Message);
        Assert.Equal("membership certificate parts are 3 and 3 bytes, need 36 each",
            Assert.Throws<FormatException>(() => AllowlistCertificate.FromCapabilities(member.PeerId, ["member-cert:0:AAAA", "member-cert:1:AAAA"])).Message);
        Assert.Equal("membership certificate part 0 missing or repeated",
            Assert.Throws<FormatException>(() => AllowlistCertificate.FromCapabilities(member.PeerId, ["member-cert:0:AAAA", "member-cert:0:AAAA"])).Message);
    }
}
