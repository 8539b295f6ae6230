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

    [Theory]
    [MemberData(nameof(Golden))]
    public void PeekTypeReadsTheTypeOfAnEncodedFrame(WireMessage message, string hex)
    {
        Assert.Equal((uint)message.Type, WireCodec.PeekType(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData("")]           // empty
    [InlineData("a3616263")]   // a string, not an array
    [InlineData("90")]         // an empty array
    [InlineData("92a17801")]   // the type is a string
    [InlineData("92")]         // ends before the type
    public void PeekTypeSaysNoTypeForWhatIsNotAMessage(string hex)
    {
        Assert.Equal(uint.MaxValue, WireCodec.PeekType(Convert.FromHexString(hex)));
    }

    [Fact]
    public void PeekTypeReadsTypesAboveAFixint() => Assert.Equal(250u, WireCodec.PeekType(Convert.FromHexString("92ccfa01")));

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

    // docs/protocol.md §3.1: every Hello limit, one past it (the message names the field and the size).
    public static TheoryData<Hello, string> OverLimit => new()
    {
        { SampleHello with { PeerId = new string('p', WireLimits.MaxPeerIdLength + 1) }, "hello.peer_id is 129 bytes" },
        { SampleHello with { ListenAddresses = Enumerable.Repeat("1.2.3.4:5", WireLimits.MaxListenAddresses + 1).ToArray() }, "hello.listen_addresses has 17 items" },
        { SampleHello with { ListenAddresses = [new string('1', WireLimits.MaxAddressLength + 1)] }, "is 257 bytes" },
        { SampleHello with { Capabilities = Enumerable.Repeat("c/1", WireLimits.MaxCapabilities + 1).ToArray() }, "hello.capabilities has 33 items" },
        { SampleHello with { Capabilities = [new string('c', WireLimits.MaxCapabilityLength + 1)] }, "is 65 bytes" },
        { SampleHello with { Agent = new string('a', WireLimits.MaxAgentLength + 1) }, "hello.agent is 129 bytes" },
        { SampleHello with { ObservedAddress = new string('1', WireLimits.MaxAddressLength + 1) }, "is 257 bytes" },
    };

    [Theory]
    [MemberData(nameof(OverLimit))]
    public void HelloFieldsOverTheirLimitsAreRejected(Hello hello, string says)
    {
        Assert.Contains(says, Assert.Throws<WireFormatException>(() => WireCodec.Decode(WireCodec.Encode(hello))).Message);
    }

    [Fact]
    public void HelloFieldsAtTheirLimitsAreAccepted()
    {
        var full = SampleHello with
        {
            PeerId = new string('p', WireLimits.MaxPeerIdLength),
            ListenAddresses = Enumerable.Repeat(new string('1', WireLimits.MaxAddressLength), WireLimits.MaxListenAddresses).ToArray(),
            Capabilities = Enumerable.Repeat(new string('c', WireLimits.MaxCapabilityLength), WireLimits.MaxCapabilities).ToArray(),
            Agent = new string('a', WireLimits.MaxAgentLength),
        };
        var decoded = Assert.IsType<Hello>(WireCodec.Decode(WireCodec.Encode(full)));
        Assert.Equal(full.PeerId, decoded.PeerId);
        Assert.Equal(full.Capabilities, decoded.Capabilities);
    }

    [Fact]
    public void AShortHelloIsRejected()
    {
        Assert.Contains("Hello has 2 fields, needs 7", Assert.Throws<WireFormatException>(() => WireCodec.Decode(Convert.FromHexString("93010100"))).Message);
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
            catch (WireFormatException) { } // UnknownMessageTypeException included
        }
    }
}
