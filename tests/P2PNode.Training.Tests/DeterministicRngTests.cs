namespace P2PNode.Training.Tests;

public sealed class DeterministicRngTests
{
    [Fact]
    public void SplitMix64MatchesTheReferenceSequence()
    {
        // Reference values of SplitMix64 from state 0 (Vigna's splitmix64.c).
        var rng = new DeterministicRng(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, rng.NextUInt64());
    }

    [Fact]
    public void PurposesGiveIndependentReproducibleStreams()
    {
        var a = DeterministicRng.ForPurpose(42, "init/x");
        var b = DeterministicRng.ForPurpose(42, "init/x");
        var c = DeterministicRng.ForPurpose(42, "init/y");
        var d = DeterministicRng.ForPurpose(43, "init/x");
        var first = a.NextUInt64();
        Assert.Equal(first, b.NextUInt64());
        Assert.NotEqual(first, c.NextUInt64());
        Assert.NotEqual(first, d.NextUInt64());
    }

    [Fact]
    public void NextIntStaysInRangeAndCoversIt()
    {
        var rng = new DeterministicRng(7);
        var seen = new int[7];
        for (var i = 0; i < 7000; i++) seen[rng.NextInt(7)]++;
        Assert.All(seen, n => Assert.InRange(n, 800, 1200));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
    }

    [Fact]
    public void ShuffleIsAPermutation()
    {
        var items = Enumerable.Range(0, 1000).ToArray();
        new DeterministicRng(3).Shuffle(items.AsSpan());
        Assert.NotEqual(Enumerable.Range(0, 1000), items);
        Assert.Equal(Enumerable.Range(0, 1000), items.Order());
    }

    [Fact]
    public void GammaHasTheRightMean()
    {
        var rng = new DeterministicRng(11);
        foreach (var shape in new[] { 0.3, 1.0, 5.0 })
        {
            double sum = 0;
            for (var i = 0; i < 20000; i++) sum += rng.NextGamma(shape);
            Assert.InRange(sum / 20000, shape * 0.95, shape * 1.05);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextGamma(0));
    }
}
