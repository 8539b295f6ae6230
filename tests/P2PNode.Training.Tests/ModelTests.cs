using P2PNode.Training.Models;
using P2PNode.Training.State;
using TorchSharp;

namespace P2PNode.Training.Tests;

[Collection("torch")]
public sealed class ModelTests
{
    [Fact]
    public void TheDefaultCnnHasAbout420kParametersInTheDocumentedOrder()
    {
        using var model = ModelFactory.Create(ModelSpec.Cnn(), seed: 1);
        var layout = ParameterLayout.Of(model);
        Assert.Equal(421_642, layout.Total);
        Assert.Equal(["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"],
            layout.Entries.Select(e => e.Name));
        Assert.Equal([128L, 3136], layout.Entries[4].Shape);
    }

    [Theory]
    [InlineData("mlp", 269_322)]
    [InlineData("lm", 470_528)]
    public void DefaultParameterCountsMatchTheDocumentation(string kind, long expected)
    {
        using var model = ModelFactory.Create(ModelSpec.ForName(kind), seed: 1);
        Assert.Equal(expected, ParameterLayout.Of(model).Total);
    }

    // named_parameters lists a module's own parameters (pos) before those of its children (tok.weight), like PyTorch.
    [Fact]
    public void TheLmLayoutStartsWithEmbeddingsAndEndsWithTheHead()
    {
        var spec = ModelSpec.Lm();
        using var model = ModelFactory.Create(spec, seed: 1);
        var names = ParameterLayout.Of(model).Entries.Select(e => e.Name).ToList();
        Assert.Equal(["pos", "tok.weight", "blocks.0.ln1.weight", "blocks.0.ln1.bias", "blocks.0.qkv.weight"], names.Take(5));
        Assert.Equal(["ln_f.weight", "ln_f.bias", "head.weight"], names.TakeLast(3));
        Assert.Equal(2 + 12 * spec.Layers + 3, names.Count);
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("mlp")]
    [InlineData("lm")]
    public void SameSpecAndSeedGiveTheSameHashWhateverTorchsGeneratorDid(string kind)
    {
        var spec = ModelSpec.ForName(kind);
        torch.manual_seed(1);
        var a = Hash(spec, 42);
        torch.manual_seed(999); // our init never reads torch's generator
        torch.randn(1000).Dispose();
        var b = Hash(spec, 42);
        Assert.Equal(a, b);
        Assert.NotEqual(a, Hash(spec, 43));
    }

    [Fact]
    public void InitFollowsTheDocumentedRule()
    {
        var spec = TestModels.TinyMlp;
        using var model = ModelFactory.Create(spec, seed: 5);
        var state = new ModelState(spec, model);
        var flat = state.GetFlat();
        // fc0.weight [32, 64]: uniform in ±1/√64 drawn from the generator "init/{canonical}/fc0.weight".
        var rng = DeterministicRng.ForPurpose(5, "init/" + spec.Canonical + "/fc0.weight");
        for (var i = 0; i < 10; i++) Assert.Equal((float)((2.0 * rng.NextFloat() - 1.0) * 0.125), flat[i]);
        Assert.All(flat.Take(32 * 64), v => Assert.InRange(v, -0.125f, 0.125f));
        using var lm = ModelFactory.Create(TestModels.TinyLm, seed: 5);
        var lmState = new ModelState(TestModels.TinyLm, lm);
        var lmFlat = lmState.GetFlat();
        var ln1 = lmState.Layout.Entries.Single(e => e.Name == "blocks.0.ln1.weight");
        Assert.All(lmFlat.AsSpan((int)ln1.Offset, (int)ln1.Count).ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void ForwardShapesMatchTheContract()
    {
        using var scope = torch.NewDisposeScope();
        using var cnn = ModelFactory.Create(TestModels.TinyCnn, 1);
        Assert.Equal([5L, 4], cnn.forward(torch.zeros(5, 1, 8, 8)).shape);
        using var mlp = ModelFactory.Create(TestModels.TinyMlp, 1);
        Assert.Equal([5L, 4], mlp.forward(torch.zeros(5, 1, 8, 8)).shape);
        using var lm = ModelFactory.Create(TestModels.TinyLm, 1);
        Assert.Equal([3L, 16, 256], lm.forward(torch.zeros(3, 16, dtype: torch.ScalarType.Int64)).shape);
        Assert.Throws<ArgumentException>(() => lm.forward(torch.zeros(1, 17, dtype: torch.ScalarType.Int64)));
    }

    [Fact]
    public void TheLmIsCausal()
    {
        using var scope = torch.NewDisposeScope();
        using var lm = ModelFactory.Create(TestModels.TinyLm, 1);
        lm.eval();
        using var noGrad = torch.no_grad();
        var tokens = torch.arange(16, dtype: torch.ScalarType.Int64).unsqueeze(0).add(65);
        var changed = tokens.clone();
        changed[0, 10] = torch.tensor(7L);
        var a = lm.forward(tokens);
        var b = lm.forward(changed);
        Assert.True(a[0, ..10].allclose(b[0, ..10]), "positions before the change must not see it");
        Assert.False(a[0, 10..].allclose(b[0, 10..]), "positions from the change on must see it");
    }

    [Fact]
    public void BadSpecsAreRefusedWithTheField()
    {
        Assert.Contains("divisible by Heads", Assert.Throws<ArgumentException>(() => ModelFactory.Create(ModelSpec.Lm() with { Heads = 3 }, 1)).Message);
        Assert.Contains("divisible by 4", Assert.Throws<ArgumentException>(() => (ModelSpec.Cnn() with { ImageSize = 30 }).Validate()).Message);
        Assert.Contains("Hidden", Assert.Throws<ArgumentException>(() => (ModelSpec.Mlp() with { Hidden = 0 }).Validate()).Message);
        Assert.Throws<ArgumentException>(() => ModelSpec.ForName("rnn"));
        Assert.Equal("cnn/v1 in=1x28x28 c1=32 c2=64 hidden=128 classes=10", ModelSpec.Cnn().Canonical);
        Assert.Equal("lm/v1 vocab=256 layers=2 width=128 heads=4 context=64", ModelSpec.Lm().Canonical);
    }

    private static string Hash(ModelSpec spec, long seed)
    {
        using var model = ModelFactory.Create(spec, seed);
        return Convert.ToHexString(new ModelState(spec, model).Hash());
    }
}
