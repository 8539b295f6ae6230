using P2PNode.Core.Tests.Wire;
using P2PNode.Transfer;
using P2PNode.Wire;
using P2PNode.Wire.Transfer;

namespace P2PNode.Core.Tests.Transfer;

public sealed class TransferWireTests
{
    private static readonly ObjectId Id = ObjectId.FromBytes(Enumerable.Repeat((byte)0x11, 32).ToArray());
    private static readonly string IdHex = "c420" + string.Concat(Enumerable.Repeat("11", 32));

    [Fact]
    public void EveryMessageRoundTripsToGoldenBytes()
    {
        WireRoundTrip.Check(new Have(Id, 1000), "9340" + IdHex + "cd03e8");
        WireRoundTrip.Check(new GetManifest(7, Id), "934107" + IdHex);
        WireRoundTrip.Check(new ManifestMessage(7, [1, 2, 3]), "934207c403010203");
        WireRoundTrip.Check(new GetChunk(9, Id, 300), "944309" + IdHex + "cd012c");
        WireRoundTrip.Check(new Chunk(9, Id, 2, [0xaa, 0xbb]), "954409" + IdHex + "02c402aabb");
        WireRoundTrip.Check(new NotFound(9, Id), "934509" + IdHex);
    }

    [Fact]
    public void OversizedChunkIsRejectedBeforeItIsStored()
    {
        var frame = WireCodec.Encode(new Chunk(1, Id, 0, new byte[TransferLimits.MaxChunkSize + 1]));
        var e = Assert.Throws<WireFormatException>(() => WireCodec.Decode(frame));
        Assert.Equal($"chunk.data is {TransferLimits.MaxChunkSize + 1} bytes, limit {TransferLimits.MaxChunkSize}", e.Message);
    }

    [Fact]
    public void ShortObjectIdAndOutOfRangeIndexAreRejectedPrecisely()
    {
        var shortId = Convert.FromHexString("9340c41f" + string.Concat(Enumerable.Repeat("11", 31)) + "01");
        Assert.Equal("have.object_id is 31 bytes, must be 32", Assert.Throws<WireFormatException>(() => WireCodec.Decode(shortId)).Message);
        var farIndex = WireCodec.Encode(new GetChunk(1, Id, TransferLimits.MaxChunks));
        Assert.Equal($"get_chunk.index is {TransferLimits.MaxChunks}, limit {TransferLimits.MaxChunks - 1}",
            Assert.Throws<WireFormatException>(() => WireCodec.Decode(farIndex)).Message);
        var missingField = Convert.FromHexString("934309" + IdHex);
        Assert.Equal("GetChunk has 2 fields, needs 3", Assert.Throws<WireFormatException>(() => WireCodec.Decode(missingField)).Message);
    }
}
