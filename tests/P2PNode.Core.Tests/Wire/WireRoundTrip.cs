using P2PNode.Wire;

namespace P2PNode.Core.Tests.Wire;

/// <summary>The one round-trip check every wire message goes through: golden bytes, decode, equal, and
/// re-encode to the same bytes.</summary>
internal static class WireRoundTrip
{
    public static void Check(WireMessage message, string goldenHex)
    {
        var bytes = WireCodec.Encode(message);
        Assert.Equal(goldenHex, Convert.ToHexStringLower(bytes));
        var decoded = WireCodec.Decode(bytes);
        Assert.Equal(message, decoded);
        Assert.Equal(bytes, WireCodec.Encode(decoded));
    }
}
