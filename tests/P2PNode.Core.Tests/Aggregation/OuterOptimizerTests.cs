using P2PNode.Aggregation;

namespace P2PNode.Core.Tests.Aggregation;

public class OuterOptimizerTests
{
    [Fact]
    public void Nesterov_defaults_follow_pytorch_sgd_by_hand()
    {
        var opt = new OuterOptimizer(1);
        var theta = new[] { 1f };
        opt.Apply(theta, [0.1f]);  // buf = 0.1; update = 0.1 + 0.9·0.1 = 0.19; θ = 1 - 0.7·0.19
        Assert.Equal(0.867f, theta[0], 6);
        opt.Apply(theta, [0.1f]);  // buf = 0.9·0.1 + 0.1 = 0.19; update = 0.1 + 0.9·0.19 = 0.271
        Assert.Equal(0.867f - 0.7f * 0.271f, theta[0], 6);
        Assert.Equal(0.19f, opt.MomentumBuffer[0], 6);
        Assert.Equal(2, opt.Step);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Vector_and_scalar_paths_match_the_reference_formula_bit_for_bit(bool nesterov)
    {
        const int n = 13; // one 8-lane vector plus a 5-value tail
        var options = new OuterOptimizerOptions { LearningRate = 0.7f, Momentum = 0.9f, Nesterov = nesterov };
        var opt = new OuterOptimizer(n, options);
        var theta = Enumerable.Range(0, n).Select(i => 0.01f * i).ToArray();
        var refTheta = (float[])theta.Clone();
        var refBuf = new float[n];
        var rng = new Random(1);
        for (var step = 0; step < 5; step++)
        {
            var g = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            opt.Apply(theta, g);
            for (var i = 0; i < n; i++)
            {
                var buf = step == 0 ? g[i] : 0.9f * refBuf[i] + g[i];
                refBuf[i] = buf;
                var update = nesterov ? g[i] + 0.9f * buf : buf;
                refTheta[i] -= 0.7f * update;
            }
            Assert.Equal(refTheta, theta);
        }
    }

    [Fact]
    public void Explicit_learning_rate_scales_the_whole_update_and_matches_the_default_path()
    {
        var rng = new Random(5);
        float[][] grads = [.. Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 11).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray())];
        var a = new OuterOptimizer(11);
        var b = new OuterOptimizer(11);
        var ta = new float[11];
        var tb = new float[11];
        foreach (var g in grads)
        {
            a.Apply(ta, g);
            b.Apply(tb, g, a.Options.LearningRate);
        }
        Assert.Equal(ta, tb); // same η: bit-identical to Apply without one
        Assert.Equal(a.MomentumBuffer.ToArray(), b.MomentumBuffer.ToArray());

        // Step 2 with η = 0.35: buf = 0.9·0.1 + 0.1 = 0.19, update = 0.1 + 0.9·0.19 = 0.271; step 1 used 0.7.
        var opt = new OuterOptimizer(1);
        var theta = new[] { 1f };
        opt.Apply(theta, [0.1f]);
        opt.Apply(theta, [0.1f], 0.35f);
        Assert.Equal(0.867f - 0.35f * 0.271f, theta[0], 6);
        Assert.Equal(0.19f, opt.MomentumBuffer[0], 6); // the buffer does not depend on η
        Assert.Throws<ArgumentException>(() => opt.Apply(theta, [0.1f], 0f));
        Assert.Throws<ArgumentException>(() => opt.Apply(theta, [0.1f], float.NaN));
        Assert.Equal(2, opt.Step); // refused steps change nothing
    }

    [Fact]
    public void Plain_averaging_yields_the_average_of_the_local_models()
    {
        float[] round = [1f, 2f, 3f];
        float[][] locals = [[0f, 2f, 5f], [2f, 4f, 1f]];
        var avgDelta = new float[3];
        for (var i = 0; i < 3; i++) avgDelta[i] = locals.Average(l => round[i] - l[i]);
        new OuterOptimizer(3, OuterOptimizerOptions.PlainAveraging).Apply(round, avgDelta);
        Assert.Equal([1f, 3f, 3f], round);
    }

    [Fact]
    public void Saved_state_resumes_exactly_where_it_stopped()
    {
        const int n = 21;
        var rng = new Random(2);
        var grads = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        var straight = new OuterOptimizer(n);
        var a = new float[n];
        foreach (var g in grads) straight.Apply(a, g);

        var first = new OuterOptimizer(n);
        var b = new float[n];
        first.Apply(b, grads[0]);
        first.Apply(b, grads[1]);
        var resumed = OuterOptimizer.LoadState(first.SaveState(), n);
        Assert.Equal(2, resumed.Step);
        resumed.Apply(b, grads[2]);
        resumed.Apply(b, grads[3]);
        Assert.Equal(a, b);
        Assert.Equal(straight.SaveState(), resumed.SaveState());
    }

    [Fact]
    public void Bad_state_and_options_are_rejected_precisely()
    {
        var good = new OuterOptimizer(2).SaveState();
        Assert.Contains("truncated", Assert.Throws<FormatException>(() => OuterOptimizer.LoadState(good.AsSpan(..10), 2)).Message);
        Assert.Contains("is for 2 parameters, expected 3", Assert.Throws<FormatException>(() => OuterOptimizer.LoadState(good, 3)).Message);
        Assert.Contains("need 28", Assert.Throws<FormatException>(() => OuterOptimizer.LoadState(good.AsSpan(..^1), 2)).Message);
        var bad = (byte[])good.Clone();
        bad[0] = 0;
        Assert.Contains("bad magic", Assert.Throws<FormatException>(() => OuterOptimizer.LoadState(bad, 2)).Message);
        bad = (byte[])good.Clone();
        BitConverter.GetBytes(float.NaN).CopyTo(bad, 24);
        Assert.Contains("value #1 is NaN", Assert.Throws<FormatException>(() => OuterOptimizer.LoadState(bad, 2)).Message);
        bad = (byte[])good.Clone();
        bad[19] = 0x80;
        Assert.Contains("negative", Assert.Throws<FormatException>(() => OuterOptimizer.LoadState(bad, 2)).Message);

        Assert.Throws<ArgumentException>(() => new OuterOptimizer(2, new OuterOptimizerOptions { Momentum = 1f }));
        Assert.Throws<ArgumentException>(() => new OuterOptimizer(2, new OuterOptimizerOptions { LearningRate = 0f }));
        Assert.Throws<ArgumentException>(() => new OuterOptimizer(2).Apply(new float[2], new float[3]));
    }
}
