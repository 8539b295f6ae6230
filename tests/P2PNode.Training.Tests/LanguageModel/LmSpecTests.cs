using P2PNode.Training.Models;
using P2PNode.Training.Runtime;
using P2PNode.Training.State;
using P2PNode.Training.Text;

namespace P2PNode.Training.Tests.LanguageModel;

/// <summary>The lm/v2 spec: canonical text, parsing back, parameter counts against built models, run JSON.</summary>
[Collection("torch")]
public sealed class LmSpecTests
{
    private static ModelSpec V2(int layers = 2, int width = 32, int heads = 2, int context = 16, PositionEncoding positions = PositionEncoding.Rotary, bool tied = true) => new()
    {
        Kind = ModelKind.Lm, Layers = layers, Width = width, Heads = heads, Context = context, Positions = positions, TiedEmbeddings = tied,
        Tokenizer = "bytes", TokenizerSha256 = ByteTokenizer.Instance.Sha256Hex, Vocabulary = 256,
    };

    [Fact]
    public void LegacyCanonicalIsUnchangedAndV2NamesEverythingThatShapesTheModel()
    {
        Assert.Equal("lm/v1 vocab=256 layers=2 width=128 heads=4 context=64", ModelSpec.Lm().Canonical);
        Assert.Equal($"lm/v2 tokenizer=bytes sha256={ByteTokenizer.Instance.Sha256Hex} vocab=256 layers=2 width=32 heads=2 context=16 positions=rotary tied=true",
            V2().Canonical);
        Assert.NotEqual(V2().Canonical, V2(tied: false).Canonical);
        Assert.NotEqual(V2().Canonical, V2(positions: PositionEncoding.Learned).Canonical);
    }

    [Theory]
    [InlineData("lm/v1 vocab=256 layers=2 width=128 heads=4 context=64")]
    [InlineData("cnn/v1 in=1x28x28 c1=32 c2=64 hidden=128 classes=10")]
    [InlineData("mlp/v1 in=1x28x28 hidden=256 layers=2 classes=10")]
    public void ParseReadsEveryKindBack(string canonical) => Assert.Equal(canonical, ModelSpec.Parse(canonical).Canonical);

    [Fact]
    public void ParseReadsV2BackAndRefusesWhatIsNotCanonical()
    {
        var spec = V2(positions: PositionEncoding.Learned, tied: false);
        Assert.Equal(spec, ModelSpec.Parse(spec.Canonical));
        Assert.Contains("expected keys", Assert.Throws<ArgumentException>(() => ModelSpec.Parse(spec.Canonical.Replace(" tied=false", ""))).Message);
        Assert.Contains("non-negative integer", Assert.Throws<ArgumentException>(() => ModelSpec.Parse(spec.Canonical.Replace("layers=2", "layers=two"))).Message);
        Assert.Contains("lm/v3", Assert.Throws<ArgumentException>(() => ModelSpec.Parse(spec.Canonical.Replace("lm/v2", "lm/v3"))).Message);
        Assert.Contains("sha256", Assert.Throws<ArgumentException>(() => ModelSpec.Parse(spec.Canonical.Replace(ByteTokenizer.Instance.Sha256Hex, "abc"))).Message);
    }

    [Fact]
    public void RotaryNeedsAnEvenHeadSize()
    {
        Assert.Contains("even head size", Assert.Throws<ArgumentException>(() => V2(width: 30, heads: 2).Validate()).Message);
        V2(width: 30, heads: 2, positions: PositionEncoding.Learned).Validate(); // learned positions have no such need
    }

    [Theory]
    [InlineData(PositionEncoding.Rotary, true)]
    [InlineData(PositionEncoding.Rotary, false)]
    [InlineData(PositionEncoding.Learned, true)]
    [InlineData(PositionEncoding.Learned, false)]
    public void ParameterCountFromShapesEqualsTheBuiltModelAndTheLayoutFollowsTheDocs(PositionEncoding positions, bool tied)
    {
        var spec = V2(positions: positions, tied: tied);
        using var model = ModelFactory.Create(spec, seed: 1);
        var layout = ParameterLayout.Of(model);
        Assert.Equal(spec.ParameterCount(), layout.Total);
        var names = layout.Entries.Select(e => e.Name).ToList();
        Assert.Equal(positions == PositionEncoding.Learned, names.Contains("pos"));
        Assert.Equal(!tied, names.Contains("head.weight"));
        Assert.Equal(positions == PositionEncoding.Learned ? "pos" : "tok.weight", names[0]);
    }

    [Fact]
    public void LegacyParameterCountStillMatches() => Assert.Equal(470_528, ModelSpec.Lm().ParameterCount());

    [Theory]
    [InlineData("tiny", 116_480)]
    [InlineData("mini", 826_112)]
    [InlineData("small", 4_804_608)]
    [InlineData("medium", 25_351_168)]
    public void PresetParameterCountsMatchTheDocumentation(string name, long expected)
    {
        var p = LmPresets.Get(name);
        var spec = V2(p.Layers, p.Width, p.Heads, p.Context, p.Positions, p.Tied);
        Assert.Equal(expected, spec.ParameterCount());
    }

    [Fact]
    public void Gpt2SmallHasGpt2sParameterCount()
    {
        var p = LmPresets.Get("gpt2-small");
        var spec = V2(p.Layers, p.Width, p.Heads, p.Context, p.Positions, p.Tied) with { Vocabulary = 50_257 };
        Assert.Equal(124_439_808, spec.ParameterCount()); // GPT-2 small with its tied head
    }

    [Fact]
    public void RunSpecCarriesTheLmShapeAndOldGenesisTextIsUnchanged()
    {
        var spec = new RunSpec { Model = "lm", Lm = V2(), Rounds = 3 };
        var json = spec.ToJson();
        Assert.Contains("\"lm\":{\"tokenizer\":\"bytes\"", json, StringComparison.Ordinal);
        var back = RunSpec.FromJson(json);
        Assert.Equal(spec.ModelSpec(), back.ModelSpec());
        Assert.Equal(json, back.ToJson());
        // cnn, mlp and the legacy lm write no "lm" key: genesis texts (and so run ids) of earlier runs are unchanged.
        Assert.DoesNotContain("\"lm\":", new RunSpec { Model = "lm" }.ToJson(), StringComparison.Ordinal);
        Assert.StartsWith("{\"model\":\"cnn\",\"seed\":1,", new RunSpec().ToJson(), StringComparison.Ordinal);
        Assert.Equal("lm/v1 vocab=256 layers=2 width=128 heads=4 context=64", RunSpec.FromJson(new RunSpec { Model = "lm" }.ToJson()).ModelSpec().Canonical);
    }

    [Fact]
    public void RunSpecRefusesAnIncompleteLmObjectOrLmSettingsOnAnotherModel()
    {
        var json = new RunSpec { Model = "lm", Lm = V2() }.ToJson().Replace(",\"tied\":true", "", StringComparison.Ordinal);
        Assert.Contains("exactly the keys", Assert.Throws<ArgumentException>(() => RunSpec.FromJson(json)).Message);
        Assert.Contains("not lm", Assert.Throws<ArgumentException>(() => new RunSpec { Model = "mlp", Lm = V2() }.Validate()).Message);
    }
}
