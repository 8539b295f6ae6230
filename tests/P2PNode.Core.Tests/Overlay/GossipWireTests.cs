using P2PNode.Identity;
using P2PNode.Wire;
using P2PNode.Wire.Gossip;

namespace P2PNode.Core.Tests.Overlay;

// Golden bytes were produced independently from docs/overlay.md with Debian's python3-msgpack and python3-nacl.
public sealed class GossipWireTests
{
    private const string PublicKeyHex = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    private const string IdHex = "e2bc157e872b23ffdc1004bc9d5382b2c514a242f99605fc2cad87ebc2f8e395";
    private const string Addr = "10.0.0.1:7700";

    private static PeerId Pk => PeerId.FromPublicKey(Convert.FromHexString(PublicKeyHex));
    private static MessageId Id => MessageId.FromBytes(Convert.FromHexString(IdHex));

    public static TheoryData<WireMessage, string> Golden => new()
    {
        { new Join(Addr), "9210ad31302e302e302e313a37373030" },
        { new ForwardJoin(Pk, Addr, 6), "9411c420" + PublicKeyHex + "ad31302e302e302e313a3737303006" },
        { new Neighbor(true, Addr), "9312c3ad31302e302e302e313a37373030" },
        { new NeighborReply(false), "9213c2" },
        { new Detach(), "9114" },
        { new Shuffle(Pk, Addr, 4, [new PeerAddress(Pk, Addr)]), "9515c420" + PublicKeyHex + "ad31302e302e302e313a37373030049192c420" + PublicKeyHex + "ad31302e302e302e313a37373030" },
        { new ShuffleReply([new PeerAddress(Pk, Addr)]), "92169192c420" + PublicKeyHex + "ad31302e302e302e313a37373030" },
        { new IHave([new IHaveEntry(Id, 2)]), "92219192c420" + IdHex + "02" },
        { new Graft([Id]), "922291c420" + IdHex },
        { new Prune(), "9123" },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void EncodesToGoldenBytesAndRoundTrips(WireMessage message, string hex)
    {
        P2PNode.Core.Tests.Wire.WireRoundTrip.Check(message, hex);
    }

    [Fact]
    public void SignedGossipMatchesAnIndependentImplementation()
    {
        using var origin = NodeIdentity.FromPrivateKey(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        Assert.Equal(PublicKeyHex, Convert.ToHexStringLower(origin.PublicKey));
        var m = GossipSignature.Sign(origin, "run/1", 1, 1_700_000_000_000, "hello"u8.ToArray());
        Assert.Equal("7032706e6f64652f676f737369702f310572756e2f31" + PublicKeyHex +
            "00000000000000010000018bcfe568002cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            Convert.ToHexStringLower(GossipSignature.SignedBytes(m)));
        Assert.Equal(IdHex, GossipSignature.IdOf(m).ToString());
        var frame = WireCodec.Encode(m);
        Assert.Equal("9820a572756e2f31c420" + PublicKeyHex + "01cf0000018bcfe56800c40568656c6c6fc440" +
            "d74064accc9593664959f870e2af44a8010373d1d38410485f00352ff2083831ac48b5bc1f365ec1e05edd682aa42bbf19e58c7154915cb70305bd8acf2ff901" + "01",
            Convert.ToHexStringLower(frame));
        var decoded = (GossipMessage)WireCodec.Decode(frame);
        Assert.Equal(m, decoded);
        Assert.True(GossipSignature.Verify(decoded, out var id));
        Assert.Equal(IdHex, id.ToString());
    }

    [Fact]
    public void AnyChangeToASignedFieldBreaksTheSignatureButHopsDoNot()
    {
        using var origin = NodeIdentity.FromPrivateKey(new byte[32]);
        var m = GossipSignature.Sign(origin, "run/1", 7, 1_700_000_000_000, [1, 2, 3]);
        Assert.True(GossipSignature.Verify(m with { Hops = 9 }, out _));
        Assert.False(GossipSignature.Verify(m with { Topic = "run/2" }, out _));
        Assert.False(GossipSignature.Verify(m with { Sequence = 8 }, out _));
        Assert.False(GossipSignature.Verify(m with { TimestampMs = 1 }, out _));
        Assert.False(GossipSignature.Verify(m with { Payload = [1, 2, 4] }, out _));
        using var other = NodeIdentity.FromPrivateKey(Enumerable.Repeat((byte)9, 32).ToArray());
        Assert.False(GossipSignature.Verify(m with { Origin = other.PeerId }, out _));
    }

    [Theory]
    [InlineData("9120", "Gossip has 0 fields, needs 7")]
    [InlineData("9820a0c420" + PublicKeyHex + "0101c400c440" + "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" + "01", "gossip.topic is empty")]
    [InlineData("9820a178c41f" + "00000000000000000000000000000000000000000000000000000000000000", "gossip.origin is 31 bytes, must be 32")]
    [InlineData("9820a178c420" + PublicKeyHex + "0101c400c4020000" + "01", "gossip.signature is 2 bytes, must be 64")]
    [InlineData("9411c420" + PublicKeyHex + "a0" + "11", "forward_join.ttl is 17, limit 16")]
    [InlineData("9312a0a0", "neighbor.high_priority must be a boolean")]
    [InlineData("922191c0", "ihave.entries[0] must be an array")]
    [InlineData("92219191c420" + IdHex, "ihave.entries[0] has 1 items, needs 2")]
    [InlineData("922291c41f" + "00000000000000000000000000000000000000000000000000000000000000", "graft.ids[0] is 31 bytes, must be 32")]
    [InlineData("9222dc0401", "ends inside")] // a count the bytes cannot hold fails before any allocation
    public void MalformedGossipGivesAPreciseError(string hex, string expected)
    {
        var e = Assert.Throws<WireFormatException>(() => WireCodec.Decode(Convert.FromHexString(hex)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void OversizedAnnouncementsAreRejectedByTheDecoder()
    {
        var ids = Enumerable.Range(0, GossipLimits.MaxAnnouncedIds + 1).Select(i => new IHaveEntry(new MessageId((ulong)i, 0, 0, 0), 1)).ToList();
        var e = Assert.Throws<WireFormatException>(() => WireCodec.Decode(WireCodec.Encode(new IHave(ids))));
        Assert.Contains("ihave.entries has 1025 items, limit 1024", e.Message);
        var shuffle = new ShuffleReply(Enumerable.Repeat(new PeerAddress(Pk, Addr), GossipLimits.MaxShuffleEntries + 1).ToList());
        Assert.Contains("shuffle_reply.entries has 33 items", Assert.Throws<WireFormatException>(() => WireCodec.Decode(WireCodec.Encode(shuffle))).Message);
    }

    [Fact]
    public void RandomMutationsOfGossipFramesNeverEscapeAsAnotherException()
    {
        using var origin = NodeIdentity.FromPrivateKey(new byte[32]);
        var valid = WireCodec.Encode(GossipSignature.Sign(origin, "run/1", 1, 1, [1, 2, 3]));
        var rng = new Random(42);
        for (var i = 0; i < 5000; i++)
        {
            var input = (byte[])valid.Clone();
            for (var k = rng.Next(1, 4); k > 0; k--) input[rng.Next(input.Length)] ^= (byte)(1 << rng.Next(8));
            if (rng.Next(4) == 0) input = input[..rng.Next(input.Length)];
            try { WireCodec.Decode(input); }
            catch (WireFormatException) { } // UnknownMessageTypeException included
        }
    }
}
