using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Training.Models;

/// <summary>
/// Rotary position embedding (RoPE), rotate-half form: for head size d, half = d/2, frequencies
/// f_j = 10000^(−2j/d) (j = 0..half−1) and angle a(t, j) = t·f_j computed in double; then
/// x' = x·cos + rotate_half(x)·sin, where cos and sin are [cos a(t,0..half−1), cos a(t,0..half−1)] (the half repeated)
/// and rotate_half(x) = [−x[half..d), x[0..half)]. The tables are built in C# from exact double arithmetic and
/// rounded to float32 once, so every node and the reference implementation use the same values. No parameters.
/// </summary>
internal sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor _cos;
    private readonly Tensor _sin;
    private readonly long _half;
    private readonly Scalar _one = 1.0.ToScalar(); // held: Tensor.add(Tensor) would make an unheld alpha Scalar

    public RotaryEmbedding(int headSize, int context)
    {
        _half = headSize / 2;
        var cos = new float[context * headSize];
        var sin = new float[context * headSize];
        for (var t = 0; t < context; t++)
            for (var j = 0; j < _half; j++)
            {
                var angle = t * Math.Pow(10000.0, -2.0 * j / headSize);
                var (c, s) = ((float)Math.Cos(angle), (float)Math.Sin(angle));
                cos[t * headSize + j] = cos[t * headSize + j + _half] = c;
                sin[t * headSize + j] = sin[t * headSize + j + _half] = s;
            }
        _cos = torch.tensor(cos, [context, headSize]).DetachFromDisposeScope();
        _sin = torch.tensor(sin, [context, headSize]).DetachFromDisposeScope();
    }

    /// <summary>Rotates x [B, H, T, d] by the positions 0..T−1.</summary>
    public Tensor Apply(Tensor x)
    {
        var t = x.shape[2];
        var cos = _cos.narrow(0, 0, t).to(x.device);
        var sin = _sin.narrow(0, 0, t).to(x.device);
        var rotated = torch.cat([x.narrow(-1, _half, _half).neg(), x.narrow(-1, 0, _half)], -1);
        return x.mul(cos).add(rotated.mul(sin), _one);
    }

    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
        _one.Dispose();
    }
}
