using P2PNode.Training.Byzantine;

namespace P2PNode.Training.Tests.Byzantine;

/// <summary>Each attack mode's transform (<see cref="Attacker.Lie"/>) and the `--byzantine I:MODE,...` parser.</summary>
public sealed class AttackerTests
{
    private static readonly float[] Honest = [1f, -2f, 3f, 0.5f];
    private static readonly ReadOnlyMemory<float>[] None = [];

    private static (float[] Delta, long Samples) Lie(AttackMode mode, float[]? honest = null, params ReadOnlyMemory<float>[] others) =>
        new Attacker(mode, seed: 7, index: 3).Lie(honest ?? Honest, 64, others);

    private static float[] Times(float[] v, float k) => [.. v.Select(x => x * k)];

    private static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));

    [Theory]
    [InlineData(AttackMode.Scale, -10f)]
    [InlineData(AttackMode.Amplify, 100f)]
    [InlineData(AttackMode.SignFlip, -1f)]
    [InlineData(AttackMode.Zero, 0f)]
    [InlineData(AttackMode.LabelFlip, 1f)]
    public void ScalingModesMultiplyTheHonestDeltaAndKeepTheSampleClaim(AttackMode mode, float k)
    {
        var (delta, samples) = Lie(mode);
        Assert.Equal(Times(Honest, k), delta);
        Assert.Equal(64, samples);
    }

    [Fact]
    public void NoiseKeepsTheNormButNotTheDirection()
    {
        var (delta, _) = Lie(AttackMode.Noise);
        Assert.Equal(Norm(Honest), Norm(delta), 4);
        var cosine = Honest.Zip(delta, (a, b) => (double)a * b).Sum() / (Norm(Honest) * Norm(delta));
        Assert.True(cosine < 0.99, $"cosine {cosine}");
    }

    [Fact]
    public void StaleResendsItsFirstDeltaForEver()
    {
        var attacker = new Attacker(AttackMode.Stale, 7, 3);
        var first = attacker.Lie(Honest, 64, None).Delta;
        var later = attacker.Lie(Times(Honest, 5f), 64, None).Delta;
        Assert.Equal(Honest, first);
        Assert.Equal(Honest, later);
        Assert.NotSame(first, later);
    }

    [Fact]
    public void InflateClaimsAHundredTimesTheSamples()
    {
        var (delta, samples) = Lie(AttackMode.Inflate);
        Assert.Equal(Honest, delta);
        Assert.Equal(64 * Attacker.InflateFactor, samples);
    }

    [Fact]
    public void CopyTakesTheFirstOtherDeltaOrZerosWhenThereIsNone()
    {
        float[] other = [9f, 8f, 7f, 6f];
        Assert.Equal(other, Lie(AttackMode.Copy, null, other, Honest).Delta);
        Assert.Equal(new float[Honest.Length], Lie(AttackMode.Copy).Delta);
    }

    [Fact]
    public void ColludersSendTheMeanMinusZStdOfTheOthersAndAgree()
    {
        float[] a = [1f, 0f, 2f, 4f], b = [3f, 0f, -2f, 4f];
        var expected = new float[4];
        for (var i = 0; i < 4; i++)
        {
            double mean = (a[i] + b[i]) / 2.0, std = Math.Abs(a[i] - b[i]) / 2.0;
            expected[i] = (float)(mean - Attacker.CollusionZ * std);
        }
        var one = new Attacker(AttackMode.Collude, 7, 6).Lie(Honest, 64, [a, b]).Delta;
        var two = new Attacker(AttackMode.Collude, 7, 7).Lie(Times(Honest, 2f), 64, [a, b]).Delta;
        Assert.Equal(expected, one);
        Assert.Equal(one, two);
        Assert.Equal(Honest, Lie(AttackMode.Collude, null, a).Delta); // fewer than two others: no spread to hide in
    }

    [Fact]
    public void ParseListMapsIndicesToModes()
    {
        var map = AttackModes.ParseList("6:signflip, 7:collude", 8);
        Assert.Equal(AttackMode.SignFlip, map[6]);
        Assert.Equal(AttackMode.Collude, map[7]);
        Assert.Equal("signflip", AttackModes.Name(map[6]));
    }

    [Theory]
    [InlineData("8:signflip", "does not exist")]
    [InlineData("x:signflip", "is not I:MODE")]
    [InlineData("-1:zero", "is not I:MODE")]
    [InlineData("signflip", "is not I:MODE")]
    [InlineData("3:zero,3:noise", "two attack modes")]
    [InlineData("3:lie", "unknown attack mode 'lie'")]
    public void ParseListRefusesBadIndicesDuplicatesAndUnknownModes(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => AttackModes.ParseList(text, 8));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
