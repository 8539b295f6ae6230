using P2PNode.Wire;

namespace P2PNode.Core.Tests.Wire;

public sealed class WireCodecTests
{
    private static readonly Hello SampleHello = new(1, 0, "p2p1example", ["127.0.0.1:7700"], ["ledger/1"], "p2pnode/0.1.0", "127.0.0.1:50412");

    // Golden bytes produced independently with Python's msgpack.packb (docs/protocol.md shows the same).
    public static TheoryData<WireMessage, string> Golden => new()
    {
        { new Ping(0x0102030405060708), "9202cf0102030405060708" },
        { new Pong(42), "92032a" },
        { new Disconnect(DisconnectReason.Shutdown, "node shutting down"), "930401b26e6f6465207368757474696e6720646f776e" },
        { new ErrorMessage(ErrorCode.UnknownMessageType, "unknown message type 99"), "930502b7756e6b6e6f776e206d6573736167652074797065203939" },
        { SampleHello, "98010100ab703270316578616d706c6591ae3132372e302e302e313a3737303091a86c65646765722f31ad7032706e6f64652f302e312e30af3132372e302e302e313a3530343132" },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void EncodesToGoldenBytesAndRoundTrips(WireMessage message, string hex)
    {
        P2PNode.Core.Tests.Wire.WireRoundTrip.Check(message, hex);
    }

    [Fact]
    public void TrailingElementsFromANewerMinorVersionAreIgnored()
    {
        // [2, 7, "extra", [1,2]] : a Ping with two fields a later minor version might add.
        var decoded = WireCodec.Decode(Convert.FromHexString("940207a5657874726192" + "0102"));
        Assert.Equal(new Ping(7), decoded);
    }

    [Fact]
    public void UnknownTypeIsReportedAsSuch()
    {
        var e = Assert.Throws<UnknownMessageTypeException>(() => WireCodec.Decode(Convert.FromHexString("92ccfa01"))); // 250: unknown (99 is ConnectRequest since the relay)
        Assert.Equal(250u, e.MessageType);
    }

    [Theory]
    [InlineData("", "ends inside")]
    [InlineData("01", "not a MessagePack array")]
    [InlineData("90", "empty message array")]
    [InlineData("91a3616263", "type must be an unsigned integer")]
    [InlineData("9102", "Ping has 0 fields, needs 1")]
    [InlineData("9202a131", "ping.nonce must be an unsigned integer")]
    [InlineData("9202ff", "ping.nonce must be an unsigned integer")]
    [InlineData("92032a00", "1 trailing bytes")]
    [InlineData("920401", "Disconnect has 1 fields, needs 2")]
    [InlineData("930401c3", "disconnect.message must be a string")]
    [InlineData("930401a2c328", "not valid UTF-8")]
    [InlineData("9202cf0102", "ends inside")]
    [InlineData("9301", "ends inside")]
    [InlineData("dd7fffffff02", "ends inside")]
    public void MalformedFramesGiveAPreciseError(string hex, string expected)
    {
        var e = Assert.Throws<WireFormatException>(() => WireCodec.Decode(Convert.FromHexString(hex)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void OverlongFieldsAreRejected()
    {
        var longAgent = SampleHello with { Agent = new string('a', WireLimits.MaxAgentLength + 1) };
        Assert.Contains("hello.agent is 129 bytes", Assert.Throws<WireFormatException>(() => WireCodec.Decode(WireCodec.Encode(longAgent))).Message);
        var manyAddresses = SampleHello with { ListenAddresses = Enumerable.Repeat("1.2.3.4:5", WireLimits.MaxListenAddresses + 1).ToArray() };
        Assert.Contains("hello.listen_addresses has 17 items", Assert.Throws<WireFormatException>(() => WireCodec.Decode(WireCodec.Encode(manyAddresses))).Message);
        var shortHello = Convert.FromHexString("93010100");
        Assert.Contains("Hello has 2 fields, needs 7", Assert.Throws<WireFormatException>(() => WireCodec.Decode(shortHello)).Message);
    }

    [Fact]
    public void RandomBytesNeverEscapeAsAnotherExceptionType()
    {
        var rng = new Random(1234);
        var valid = WireCodec.Encode(SampleHello);
        for (var i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[rng.Next(0, 64)];
                rng.NextBytes(input);
            }
            else
            {
                input = (byte[])valid.Clone();
                for (var k = rng.Next(1, 4); k > 0; k--) input[rng.Next(input.Length)] ^= (byte)(1 << rng.Next(8));
                if (rng.Next(4) == 0) input = input[..rng.Next(input.Length)];
            }
            try { WireCodec.Decode(input); }
            catch (WireFormatException) { }
            catch (UnknownMessageTypeException) { }
        }
    }
}
