using P2PNode.Identity;
using P2PNode.Transport;

namespace P2PNode.Core.Tests.Transport;

public sealed class IdentityProofTests
{
    private static readonly byte[] StaticKey = Enumerable.Repeat((byte)0x11, 32).ToArray();

    [Fact]
    public void MatchesTheExampleInProtocolMd()
    {
        // Bytes computed independently with Python's nacl + msgpack (docs/protocol.md, section 2.2).
        using var id = NodeIdentity.FromPrivateKey(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var proof = IdentityProof.Create(id, StaticKey);
        Assert.Equal("92c42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8c4408c0dd5aba5446d45816813abeff828861c29afd58c8179170dd36923122e170170537eba6a3c30d3c7c605ed41a936f460de97c34a8476dfd6089aaf66ccec01",
            Convert.ToHexStringLower(proof));
        Assert.Equal(id.PeerId, IdentityProof.Verify(proof, StaticKey));
    }

    [Fact]
    public void TheSameBytesEncodedAsStrAreRefused()
    {
        // docs/protocol.md 2.2: bin only. 0xc4 (bin 8) -> 0xd9 (str 8) keeps every byte of the key and signature.
        using var id = NodeIdentity.Generate();
        var proof = IdentityProof.Create(id, StaticKey);
        Assert.Equal(101, proof.Length);
        Assert.Equal([0xc4, 0x20], proof[1..3]);
        foreach (var at in new[] { 1, 35 })
        {
            var asStr = (byte[])proof.Clone();
            asStr[at] = 0xd9;
            var e = Assert.Throws<TransportException>(() => IdentityProof.Verify(asStr, StaticKey));
            Assert.Equal(TransportError.BadIdentityProof, e.Error);
            Assert.Contains("must be MessagePack bin, not String", e.Message);
        }
    }

    [Fact]
    public void AProofForAnotherStaticKeyOrWithAFlippedBitIsRefused()
    {
        using var id = NodeIdentity.Generate();
        var proof = IdentityProof.Create(id, StaticKey);
        var other = Enumerable.Repeat((byte)0x22, 32).ToArray();
        Assert.Equal(TransportError.BadIdentityProof, Assert.Throws<TransportException>(() => IdentityProof.Verify(proof, other)).Error);
        for (var i = 0; i < proof.Length; i++)
        {
            var bad = (byte[])proof.Clone();
            bad[i] ^= 0x01;
            Assert.Throws<TransportException>(() => IdentityProof.Verify(bad, StaticKey));
        }
        Assert.Throws<TransportException>(() => IdentityProof.Verify(proof.AsSpan(..50), StaticKey));
    }
}
