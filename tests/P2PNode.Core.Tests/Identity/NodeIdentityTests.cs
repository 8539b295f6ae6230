using P2PNode.Identity;

namespace P2PNode.Core.Tests.Identity;

public class NodeIdentityTests
{
    // RFC 8032 section 7.1, TEST 1 (empty message).
    private static readonly byte[] Seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static readonly byte[] Public = Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    private static readonly byte[] Signature = Convert.FromHexString(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

    [Fact]
    public void Matches_the_RFC_8032_test_vector()
    {
        using var id = NodeIdentity.FromPrivateKey(Seed);
        Assert.Equal(Public, id.PublicKey);
        Assert.Equal(Signature, id.Sign([]));
        Assert.Equal(PeerId.FromPublicKey(Public), id.PeerId);
        Assert.True(NodeIdentity.Verify(Public, [], Signature));
    }

    [Fact]
    public void Generated_identities_are_distinct_and_self_consistent()
    {
        using var a = NodeIdentity.Generate();
        using var b = NodeIdentity.Generate();
        Assert.NotEqual(a.PeerId, b.PeerId);
        Assert.Equal(PeerId.FromPublicKey(a.PublicKey), a.PeerId);
        var data = "contribution round 7"u8.ToArray();
        var sig = a.Sign(data);
        Assert.Equal(NodeIdentity.SignatureSize, sig.Length);
        Assert.True(NodeIdentity.Verify(a.PublicKey, data, sig));
        Assert.False(NodeIdentity.Verify(b.PublicKey, data, sig));
    }

    [Fact]
    public void Verify_rejects_tampering_and_malformed_input_without_throwing()
    {
        var data = "ledger entry"u8.ToArray();
        using var id = NodeIdentity.FromPrivateKey(Seed);
        var sig = id.Sign(data);

        var tamperedData = (byte[])data.Clone();
        tamperedData[0] ^= 1;
        Assert.False(NodeIdentity.Verify(Public, tamperedData, sig));

        var tamperedSig = (byte[])sig.Clone();
        tamperedSig[10] ^= 0x80;
        Assert.False(NodeIdentity.Verify(Public, data, tamperedSig));

        Assert.False(NodeIdentity.Verify(Public, data, sig.AsSpan(0, 63)));
        Assert.False(NodeIdentity.Verify(Public, data, [.. sig, 0]));
        Assert.False(NodeIdentity.Verify(Public, data, []));
        Assert.False(NodeIdentity.Verify(Public.AsSpan(0, 31), data, sig));
        Assert.False(NodeIdentity.Verify([], data, sig));
        Assert.False(NodeIdentity.Verify(new byte[32], data, sig));
        Assert.False(NodeIdentity.Verify(Enumerable.Repeat((byte)0xff, 32).ToArray(), data, sig));
        Assert.True(NodeIdentity.Verify(Public, data, sig));
    }

    [Fact]
    public void PublicKey_returns_a_copy()
    {
        using var id = NodeIdentity.FromPrivateKey(Seed);
        id.PublicKey[0] ^= 0xff;
        Assert.Equal(Public, id.PublicKey);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(64)]
    public void A_private_key_must_be_32_bytes(int length)
    {
        var e = Assert.Throws<ArgumentException>(() => NodeIdentity.FromPrivateKey(new byte[length]));
        Assert.Contains($"got {length}", e.Message);
    }

    [Fact]
    public void Signing_after_dispose_throws()
    {
        var id = NodeIdentity.Generate();
        id.Dispose();
        Assert.Throws<ObjectDisposedException>(() => id.Sign([1, 2, 3]));
    }
}
