using P2PNode.Training.Trainer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace P2PNode.Training.Tests;

/// <summary>
/// Our inner AdamW must give exactly TorchSharp's AdamW results (runs recorded before the switch stay
/// reproducible, and every node of a run computes the same updates), while holding its Scalars itself.
/// </summary>
[Collection("torch")]
public sealed class InnerAdamWTests
{
    private static List<Parameter> Parameters(long seed)
    {
        var g = new torch.Generator((ulong)seed);
        return [new Parameter(torch.randn([7, 5], generator: g)), new Parameter(torch.randn([5], generator: g)), new Parameter(torch.randn([3, 2, 4], generator: g))];
    }

    private static void SetGradients(List<Parameter> ps, long seed)
    {
        var g = new torch.Generator((ulong)seed);
        using var noGrad = torch.no_grad();
        foreach (var p in ps)
        {
            using var grad = torch.randn(p.shape, generator: g).mul_(3.0);
            if (p.grad is null) p.grad = grad.clone();
            else p.grad.copy_(grad);
        }
    }

    private static float[] Flat(List<Parameter> ps) => ps.SelectMany(p => p.data<float>().ToArray()).ToArray();

    [Theory]
    [InlineData(0.01, 0.9, 0.999)]
    [InlineData(0.0, 0.8, 0.95)]
    public void MatchesTorchSharpAdamWBitForBit(double weightDecay, double beta1, double beta2)
    {
        var theirs = Parameters(5);
        var ours = Parameters(5);
        using var reference = torch.optim.AdamW(theirs, 1e-3, beta1, beta2, weight_decay: weightDecay);
        using var inner = new InnerAdamW(ours, beta1, beta2, weightDecay);
        for (var step = 0; step < 40; step++)
        {
            var lr = 3e-3 * (1 + Math.Cos(step / 7.0)); // a changing schedule, as LocalTrainer's
            foreach (var group in reference.ParamGroups) group.LearningRate = lr;
            SetGradients(theirs, 100 + step);
            SetGradients(ours, 100 + step);
            reference.step();
            inner.Step(lr);
        }
        Assert.Equal(40, inner.Steps);
        var expected = Flat(theirs);
        var actual = Flat(ours);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"value {i}: {expected[i]:R} vs {actual[i]:R}");
        // The parameters moved (a no-op optimizer would match a no-op reference only if both never stepped).
        Assert.NotEqual(Flat(Parameters(5)), actual);
    }

    [Fact]
    public void ZeroGradClearsEveryGradientAndAParameterWithoutOneIsLeftAlone()
    {
        var ps = Parameters(9);
        using var inner = new InnerAdamW(ps, 0.9, 0.999, 0.01);
        SetGradients(ps, 1);
        inner.ZeroGrad();
        Assert.All(ps, p => Assert.Equal(0f, p.grad!.abs().max().item<float>()));
        var fresh = new Parameter(torch.ones(4));
        var before = fresh.data<float>().ToArray();
        using var single = new InnerAdamW([fresh], 0.9, 0.999, 0.01);
        single.Step(0.1);
        Assert.Equal(before, fresh.data<float>().ToArray());
    }

    [Fact]
    public void ManyStepsUnderGcPressureDoNotCrash()
    {
        // The failure this class exists for was a finalized Scalar read by libtorch: force collections between
        // and during steps; TorchSharp's own step is not run here, since it can abort the test host.
        var ps = Parameters(11);
        using var inner = new InnerAdamW(ps, 0.9, 0.999, 0.01);
        var stop = false;
        var collector = new Thread(() => { while (!Volatile.Read(ref stop)) { GC.Collect(); GC.WaitForPendingFinalizers(); } });
        collector.Start();
        for (var step = 0; step < 2000; step++)
        {
            SetGradients(ps, step);
            inner.Step(1e-3);
        }
        Volatile.Write(ref stop, true);
        collector.Join();
        Assert.All(Flat(ps), v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(Flat(Parameters(11)), Flat(ps)); // and the 2,000 steps did move the parameters
    }
}
