using P2PNode.Core.Tests.Wire;
using P2PNode.Identity;
using P2PNode.Wire;
using P2PNode.Wire.Relay;

namespace P2PNode.Core.Tests.Relay;

/// <summary>Golden bytes of every relay message, computed independently with Python's msgpack (docs/protocol.md, "Relay").</summary>
public sealed class RelayWireTests
{
    private static readonly PeerId Peer = PeerId.FromPublicKey(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private const string PeerHex = "c4200102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

    [Fact]
    public void EveryRelayMessageRoundTripsToGoldenBytes()
    {
        WireRoundTrip.Check(new ReserveRequest(), "9160");
        WireRoundTrip.Check(new ReserveOk(1_700_000_000_000, "relay:x@1.2.3.4:7700/y", 64 * 1024 * 1024, 1800, 8),
            "9661cf0000018bcfe56800b672656c61793a7840312e322e332e343a373730302f79ce04000000cd070808");
        WireRoundTrip.Check(new ReserveRefused(RelayStatus.ReservationLimit, "full"), "936203a466756c6c");
        WireRoundTrip.Check(new ConnectRequest(0x0102030405060708, Peer), "9363cf0102030405060708" + PeerHex);
        WireRoundTrip.Check(new IncomingCircuit(7, Peer), "936407" + PeerHex);
        WireRoundTrip.Check(new CircuitOpen(7), "926507");
        WireRoundTrip.Check(new CircuitData(7, [0x00, 0xff]), "936607c40200ff");
        WireRoundTrip.Check(new CircuitClose(7, RelayStatus.UnknownCircuit, "no such circuit"), "9467070baf6e6f20737563682063697263756974");
    }

    [Fact]
    public void OversizedCircuitDataIsRefusedByTheDecoder()
    {
        var frame = WireCodec.Encode(new CircuitData(1, new byte[RelayWireLimits.MaxCircuitData + 1]));
        var e = Assert.Throws<WireFormatException>(() => WireCodec.Decode(frame));
        Assert.Contains("circuit_data.data", e.Message);
    }

    [Fact]
    public void AShortPublicKeyIsRefused()
    {
        // [99, 1, bin(31)]
        var frame = Convert.FromHexString("936301c41f" + new string('0', 62));
        var e = Assert.Throws<WireFormatException>(() => WireCodec.Decode(frame));
        Assert.Contains("connect_request.target", e.Message);
    }

    [Fact]
    public void MissingFieldsAreRefused()
    {
        var e = Assert.Throws<WireFormatException>(() => WireCodec.Decode(Convert.FromHexString("9267cf0000000000000001")));
        Assert.Contains("CircuitClose has 1 fields, needs 3", e.Message);
    }
}
