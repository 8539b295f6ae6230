using P2PNode.Hashing;
using P2PNode.Transfer;

namespace P2PNode.Core.Tests.Hashing;

/// <summary>The typed hashes sort as their hex text does: the training runtime's "smallest hash wins" tie-breaks
/// moved from hex strings to these and must pick the same one.</summary>
public sealed class Digest256OrderTests
{
    [Fact]
    public void OrderIsTheOrdinalOrderOfTheHexText()
    {
        var random = new Random(5);
        var bytes = Enumerable.Range(0, 200).Select(i =>
        {
            var b = new byte[32];
            random.NextBytes(b);
            if (i % 3 == 0) b.AsSpan(0, 8 + i % 24).Clear(); // long common prefixes reach the later words
            if (i % 5 == 0) b[0] = 0xff; // the high bit: words compare unsigned
            return b;
        }).ToList();
        var byHex = bytes.OrderBy(Convert.ToHexStringLower, StringComparer.Ordinal).Select(Convert.ToHexStringLower);
        Assert.Equal(byHex, bytes.Select(b => Digest256.FromBytes(b, "test")).Order().Select(d => d.ToString()));
        Assert.Equal(byHex, bytes.Select(b => ObjectId.FromBytes(b)).Order().Select(o => o.ToString()));
    }
}
