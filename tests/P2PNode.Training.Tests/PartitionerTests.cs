using P2PNode.Training.Data;

namespace P2PNode.Training.Tests;

public sealed class PartitionerTests
{
    // 10 classes, 3,000 samples, unequal class sizes (class c has 150 + 10c samples) to catch equal-size assumptions.
    private static readonly int[] Labels = Enumerable.Range(0, 10).SelectMany(c => Enumerable.Repeat(c, 150 + 10 * c)).ToArray();

    private static void AssertDisjointAndSorted(NodeShard[] shards, int expectedTotal)
    {
        var all = shards.SelectMany(s => s.Train.Concat(s.HeldOut)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(expectedTotal, all.Count);
        Assert.All(all, i => Assert.InRange(i, 0, Labels.Length - 1));
        foreach (var s in shards)
        {
            Assert.Equal(s.Train.Order(), s.Train);
            Assert.Equal(s.HeldOut.Order(), s.HeldOut);
        }
    }

    private static bool SameShards(NodeShard[] a, NodeShard[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.Train.SequenceEqual(p.Second.Train) && p.First.HeldOut.SequenceEqual(p.Second.HeldOut));

    [Fact]
    public void IidIsDisjointCoveringBalancedAndDeterministic()
    {
        var shards = Partitioner.Iid(Labels, 7, seed: 5, heldOutFraction: 0.1);
        AssertDisjointAndSorted(shards, Labels.Length);
        Assert.InRange(shards.Max(s => s.Count) - shards.Min(s => s.Count), 0, 1);
        foreach (var s in shards) Assert.Equal((int)Math.Round(0.1 * s.Count), s.HeldOut.Length);
        Assert.True(SameShards(shards, Partitioner.Iid(Labels, 7, seed: 5)));
        Assert.False(SameShards(shards, Partitioner.Iid(Labels, 7, seed: 6)));
        // Every node sees every class in roughly the global proportion.
        foreach (var s in shards)
            Assert.All(Enumerable.Range(0, 10), c => Assert.InRange(s.Train.Concat(s.HeldOut).Count(i => Labels[i] == c), 5, 60));
    }

    [Fact]
    public void ByClassGivesEachNodeExactlyKClassesAndCoversAll()
    {
        var shards = Partitioner.ByClass(Labels, 10, nodes: 5, classesPerNode: 2, seed: 9);
        AssertDisjointAndSorted(shards, Labels.Length); // 5·2 = 10 classes: every sample assigned
        foreach (var s in shards)
            Assert.Equal(2, s.Train.Concat(s.HeldOut).Select(i => Labels[i]).Distinct().Count());
        Assert.True(SameShards(shards, Partitioner.ByClass(Labels, 10, 5, 2, seed: 9)));
        Assert.False(SameShards(shards, Partitioner.ByClass(Labels, 10, 5, 2, seed: 10)));
    }

    [Fact]
    public void ByClassSplitsASharedClassEvenlyAndLeavesUnheldClassesOut()
    {
        // 4 nodes × 3 classes = 12 slots over 10 classes: two classes have two holders.
        var shards = Partitioner.ByClass(Labels, 10, nodes: 4, classesPerNode: 3, seed: 1);
        AssertDisjointAndSorted(shards, Labels.Length);
        var holders = Enumerable.Range(0, 10).Select(c => shards.Count(s => s.Train.Concat(s.HeldOut).Any(i => Labels[i] == c))).ToArray();
        Assert.Equal(2, holders.Count(h => h == 2));
        // 3 nodes × 2 classes = 6 < 10: four classes are held by nobody and their samples are left out.
        var partial = Partitioner.ByClass(Labels, 10, nodes: 3, classesPerNode: 2, seed: 1);
        var held = partial.SelectMany(s => s.Train.Concat(s.HeldOut)).Select(i => Labels[i]).Distinct().ToList();
        Assert.Equal(6, held.Count);
        AssertDisjointAndSorted(partial, held.Sum(c => 150 + 10 * c));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.ByClass(Labels, 10, 3, 11, seed: 1));
    }

    [Fact]
    public void DirichletIsDisjointCoveringDeterministicAndSkewedBySmallAlpha()
    {
        var skewed = Partitioner.Dirichlet(Labels, 10, nodes: 5, alpha: 0.1, seed: 3);
        var flat = Partitioner.Dirichlet(Labels, 10, nodes: 5, alpha: 1000, seed: 3);
        AssertDisjointAndSorted(skewed, Labels.Length);
        AssertDisjointAndSorted(flat, Labels.Length);
        Assert.All(skewed, s => Assert.True(s.Count >= 10));
        Assert.True(SameShards(skewed, Partitioner.Dirichlet(Labels, 10, 5, 0.1, seed: 3)));
        Assert.False(SameShards(skewed, Partitioner.Dirichlet(Labels, 10, 5, 0.1, seed: 4)));
        // Share of each node's largest class: near 1 for alpha 0.1, near 1/10 for alpha 1000.
        double TopShare(NodeShard s) => s.Train.Concat(s.HeldOut).GroupBy(i => Labels[i]).Max(g => g.Count()) / (double)s.Count;
        Assert.True(skewed.Average(TopShare) > 0.4, $"alpha 0.1 top-class share {skewed.Average(TopShare)}");
        Assert.True(flat.Average(TopShare) < 0.15, $"alpha 1000 top-class share {flat.Average(TopShare)}");
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Iid(Labels, 0, 1));
        Assert.Throws<ArgumentException>(() => Partitioner.Iid([0, 1], 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Iid(Labels, 2, 1, heldOutFraction: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Dirichlet(Labels, 10, 2, alpha: 0, seed: 1));
        Assert.Throws<ArgumentException>(() => Partitioner.Dirichlet(Labels, 10, 400, alpha: 1, seed: 1, minPerNode: 10));
        Assert.Throws<ArgumentException>(() => Partitioner.ByClass([0, 12], 10, 1, 1, seed: 1));
    }
}
