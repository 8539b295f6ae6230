using P2PNode.Training.Simulation;

namespace P2PNode.Training.Tests.Simulation;

public sealed class DataSplitTests
{
    [Theory]
    [InlineData("iid", "iid")]
    [InlineData("Dirichlet:0.5", "dirichlet:0.5")]
    [InlineData("classes:2", "classes:2")]
    public void Parses_and_prints(string text, string canonical) => Assert.Equal(canonical, DataSplit.Parse(text).ToString());

    [Theory]
    [InlineData("dirichlet")]
    [InlineData("dirichlet:0")]
    [InlineData("dirichlet:-1")]
    [InlineData("classes:0")]
    [InlineData("classes:x")]
    [InlineData("random")]
    public void Rejects_bad_text(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => DataSplit.Parse(text));
        Assert.Contains(text.Split(':')[0], e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Shards_are_disjoint_and_cover_the_classes_held()
    {
        var labels = Enumerable.Range(0, 400).Select(i => i % 4).ToArray();
        var shards = DataSplit.Parse("classes:2").Partition(labels, 4, 4, seed: 1);
        Assert.Equal(4, shards.Length);
        var all = shards.SelectMany(s => s.Train.Concat(s.HeldOut)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(shards, s => Assert.Equal(2, s.Train.Select(i => labels[i]).Distinct().Count()));
    }

    [Fact]
    public void Ring_allreduce_cost_follows_the_formula()
    {
        Assert.Equal(0, AllReduceCost.BytesPerStep(1, 1000));                  // alone: nothing to send
        Assert.Equal(2.0 * 7 / 8 * 4 * 421_642, AllReduceCost.BytesPerStep(8, 421_642));
        Assert.Equal(AllReduceCost.BytesPerStep(4, 10) * 30, AllReduceCost.BytesPerWorker(4, 10, 30));
        Assert.Throws<ArgumentException>(() => AllReduceCost.BytesPerStep(0, 10));
    }
}
