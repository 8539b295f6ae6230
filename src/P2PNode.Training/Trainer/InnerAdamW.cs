using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace P2PNode.Training.Trainer;

/// <summary>
/// AdamW (decoupled weight decay) for the inner steps: the same tensor operations, in the same order and with the
/// same scalar values, as TorchSharp 0.107's <c>optim.AdamW.step</c>, so results are bit-identical to it
/// (InnerAdamWTests checks that). Why our own: TorchSharp's step turns each double into a <see cref="Scalar"/>
/// implicitly and never keeps it alive past the call that extracts its native handle; when the GC finalizes such
/// a Scalar while libtorch still reads it, the step aborts the process ("Expected false to be true ... Scalar.h").
/// That happened in 13 of 42 long DiLoCo simulations. Here every Scalar is a local that is disposed only after
/// the last native call that uses it, and every Scalar parameter is passed explicitly (TorchSharp's shorter
/// overloads, such as add_(Scalar), make their alpha = 1 Scalar themselves); ScalarSafetyTests enforces this.
/// </summary>
public sealed class InnerAdamW : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly double _beta1, _beta2, _eps, _weightDecay;
    private long _step;

    public InnerAdamW(IReadOnlyList<Parameter> parameters, double beta1, double beta2, double weightDecay, double eps = 1e-8)
    {
        _parameters = parameters;
        (_beta1, _beta2, _eps, _weightDecay) = (beta1, beta2, eps, weightDecay);
        using var noGrad = torch.no_grad();
        _expAvg = parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
        _expAvgSq = parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Steps taken since construction (the bias corrections' t).</summary>
    public long Steps => _step;

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad?.zero_();
    }

    /// <summary>One AdamW update of every parameter that has a gradient, at learning rate <paramref name="lr"/>.</summary>
    public void Step(double lr)
    {
        _step++;
        var biasCorrection1 = 1 - Math.Pow(_beta1, _step);
        var biasCorrection2 = 1 - Math.Pow(_beta2, _step);
        using var noGrad = torch.no_grad();
        using var decay = (1 - lr * _weightDecay).ToScalar();
        using var beta1 = _beta1.ToScalar();
        using var oneMinusBeta1 = (1 - _beta1).ToScalar();
        using var beta2 = _beta2.ToScalar();
        using var oneMinusBeta2 = (1 - _beta2).ToScalar();
        using var sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
        using var eps = _eps.ToScalar();
        using var negativeStepSize = (-(lr / biasCorrection1)).ToScalar();
        // add_(Scalar) would pass its alpha = 1 as a Scalar of TorchSharp's own that nothing holds; pass ours.
        using var one = 1.ToScalar();
        for (var i = 0; i < _parameters.Count; i++)
        {
            var param = _parameters[i];
            using var grad = param.grad;
            if (grad is null) continue;
            param.mul_(decay);
            _expAvg[i].mul_(beta1).add_(grad, alpha: oneMinusBeta1);
            _expAvgSq[i].mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
            using var denom = _expAvgSq[i].sqrt();
            denom.div_(sqrtBiasCorrection2).add_(eps, one);
            param.addcdiv_(_expAvg[i], denom, value: negativeStepSize);
        }
    }

    public void Dispose()
    {
        foreach (var t in _expAvg) t.Dispose();
        foreach (var t in _expAvgSq) t.Dispose();
    }
}
