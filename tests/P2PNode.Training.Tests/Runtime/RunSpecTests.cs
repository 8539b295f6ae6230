using System.Text.Json.Nodes;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>docs/runtime.md §1: the genesis hyperparameters, every key required when written, unknown keys and
/// wrong types refused by a reader with an <see cref="ArgumentException"/> that names the field.</summary>
public sealed class RunSpecTests
{
    private static readonly RunSpec Custom = new()
    {
        Model = "mlp", Seed = 77, InnerSteps = 7, Rounds = 9, Codec = "topk:0.05+int4/32", OuterLearningRate = 0.7,
        OuterMomentum = 0.9, InnerLearningRate = 1.5e-3, BatchSize = 48, Quorum = 0.75, DeadlineFactor = 1.5,
        MinDeadlineMs = 1234, MinNodes = 3, NormOutlierMultiple = 6.5, EvalSamples = 321, Overlap = false,
        ClipMedianMultiple = 3.5, CapSamples = false, JudgeSamples = 64, JudgeStep = 0.25, MinCosine = -0.05, MaxPairCosine = 0.95,
    };

    private static readonly string[] Keys =
    [
        "model", "seed", "inner_steps", "rounds", "codec", "outer_lr", "outer_momentum", "inner_lr", "batch_size", "quorum",
        "deadline_factor", "min_deadline_ms", "min_nodes", "norm_outlier_multiple", "eval_samples", "overlap",
        "clip_median_multiple", "cap_samples", "judge_samples", "judge_step", "min_cosine", "max_pair_cosine",
    ];

    [Fact]
    public void RoundTripsEveryFieldAndWritesEveryDocumentedKeyInFixedOrder()
    {
        var json = Custom.ToJson();
        Assert.Equal(Custom, RunSpec.FromJson(json));
        Assert.Equal(json, RunSpec.FromJson(json).ToJson());
        var o = JsonNode.Parse(json)!.AsObject();
        Assert.Equal(Keys, o.Select(kv => kv.Key).ToArray());
        Assert.Equal(new RunSpec(), RunSpec.FromJson(new RunSpec().ToJson()));
    }

    [Fact]
    public void NewRunsClipAndCapSamplesButAGenesisWithoutTheDefenceKeysKeepsThemOff()
    {
        var policy = new RunSpec { InnerSteps = 30, BatchSize = 64 }.Policy();
        Assert.Equal(2.0, policy.Combination.MedianNormMultiple);
        Assert.Equal(30 * 64, policy.Combination.MaxSamples);
        var o = JsonNode.Parse(Custom.ToJson())!.AsObject();
        o.Remove("clip_median_multiple");
        o.Remove("cap_samples");
        var old = RunSpec.FromJson(o.ToJsonString());
        Assert.Null(old.ClipMedianMultiple);
        Assert.False(old.CapSamples);
        Assert.Null(old.Policy().Combination.MaxSamples);
        var off = RunSpec.FromJson(new RunSpec { ClipMedianMultiple = null }.ToJson());
        Assert.Null(off.ClipMedianMultiple);
        Assert.Throws<ArgumentException>(() => RunSpec.FromJson(new RunSpec { ClipMedianMultiple = 0.5 }.ToJson()));
    }

    [Fact]
    public void AGenesisWrittenBeforeOverlapExistedReadsAsOverlapped()
    {
        var o = JsonNode.Parse(Custom.ToJson())!.AsObject();
        o.Remove("overlap");
        Assert.True(RunSpec.FromJson(o.ToJsonString()).Overlap);
    }

    [Fact]
    public void UnknownKeyIsRefusedByName()
    {
        var o = JsonNode.Parse(Custom.ToJson())!.AsObject();
        o["learning_rate"] = 0.1;
        var e = Assert.Throws<ArgumentException>(() => RunSpec.FromJson(o.ToJsonString()));
        Assert.Contains("learning_rate", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rounds", "\"3\"")]
    [InlineData("rounds", "3.5")]
    [InlineData("rounds", "null")]
    [InlineData("model", "7")]
    [InlineData("model", "null")]
    [InlineData("quorum", "\"1\"")]
    [InlineData("seed", "true")]
    [InlineData("codec", "[]")]
    [InlineData("batch_size", "{}")]
    [InlineData("min_deadline_ms", "99999999999")]
    [InlineData("overlap", "1")]
    public void WrongTypeIsRefusedByName(string key, string value)
    {
        var o = JsonNode.Parse(Custom.ToJson())!.AsObject();
        o[key] = JsonNode.Parse(value);
        var e = Assert.Throws<ArgumentException>(() => RunSpec.FromJson(o.ToJsonString()));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model", "\"resnet\"")]
    [InlineData("inner_steps", "0")]
    [InlineData("rounds", "0")]
    [InlineData("rounds", "-2")]
    [InlineData("codec", "\"topk:2+int8/64\"")]
    [InlineData("codec", "\"bogus\"")]
    [InlineData("outer_lr", "0")]
    [InlineData("outer_momentum", "1")]
    [InlineData("inner_lr", "0")]
    [InlineData("batch_size", "0")]
    [InlineData("quorum", "0")]
    [InlineData("quorum", "1.5")]
    [InlineData("deadline_factor", "0")]
    [InlineData("min_deadline_ms", "-1")]
    [InlineData("min_nodes", "0")]
    [InlineData("norm_outlier_multiple", "0")]
    [InlineData("eval_samples", "-1")]
    public void OutOfRangeValueIsRefusedByName(string key, string value)
    {
        var o = JsonNode.Parse(Custom.ToJson())!.AsObject();
        o[key] = JsonNode.Parse(value);
        var e = Assert.Throws<ArgumentException>(() => RunSpec.FromJson(o.ToJsonString()));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"rounds\":")]
    [InlineData("")]
    public void NotAnObjectIsAnArgumentException(string json) =>
        Assert.Throws<ArgumentException>(() => RunSpec.FromJson(json));
}
