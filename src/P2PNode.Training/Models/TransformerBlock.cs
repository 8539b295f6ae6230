using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace P2PNode.Training.Models;

/// <summary>
/// Pre-norm GPT block: h = x + proj(attn(ln1(x))), then h + fc2(GELU(fc1(ln2(h)))); causal multi-head self-attention
/// (softmax(q·kᵀ/√d) over positions ≤ t, computed by libtorch's scaled_dot_product_attention), rotary positions applied
/// to q and k when the model uses them, GELU (exact, erf form) MLP 4× wide, LayerNorm ε = 1e-5.
/// Parameter order: ln1.weight, ln1.bias, qkv.weight, qkv.bias, proj.weight, proj.bias, ln2.weight, ln2.bias,
/// fc1.weight, fc1.bias, fc2.weight, fc2.bias. The qkv output is split as [q | k | v], each W wide, and each of those
/// into heads of W/heads consecutive columns.
/// </summary>
internal sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm _ln1;
    private readonly Linear _qkv;
    private readonly Linear _proj;
    private readonly LayerNorm _ln2;
    private readonly Linear _fc1;
    private readonly Linear _fc2;
    private readonly int _heads;
    private readonly RotaryEmbedding? _rotary;
    // Tensor.add(Tensor) would make its own alpha = 1 Scalar that nothing holds (docs/training.md, "TorchSharp scalars").
    private readonly Scalar _one = 1.0.ToScalar();

    public TransformerBlock(int width, int heads, RotaryEmbedding? rotary) : base("block")
    {
        _heads = heads;
        _rotary = rotary;
        _ln1 = nn.LayerNorm(width);
        _qkv = nn.Linear(width, 3L * width);
        _proj = nn.Linear(width, width);
        _ln2 = nn.LayerNorm(width);
        _fc1 = nn.Linear(width, 4L * width);
        _fc2 = nn.Linear(4L * width, width);
        register_module("ln1", _ln1);
        register_module("qkv", _qkv);
        register_module("proj", _proj);
        register_module("ln2", _ln2);
        register_module("fc1", _fc1);
        register_module("fc2", _fc2);
    }

    public override Tensor forward(Tensor x)
    {
        // Intermediates are many; the caller's dispose scope (one per training step) frees them.
        long b = x.shape[0], t = x.shape[1], w = x.shape[2], hd = w / _heads;
        var qkv = _qkv.forward(_ln1.forward(x)).view(b, t, 3, _heads, hd).permute(2, 0, 3, 1, 4); // 3,B,H,T,D
        var q = qkv[0];
        var k = qkv[1];
        var v = qkv[2];
        if (_rotary is not null)
        {
            q = _rotary.Apply(q);
            k = _rotary.Apply(k);
        }
        // No Scalars here: the scale 1/√d and the causal mask are libtorch's own (TorchSharp scalars, docs/training.md).
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true).transpose(1, 2).reshape(b, t, w);
        var h = x.add(_proj.forward(y), _one);
        var m = _fc2.forward(nn.functional.gelu(_fc1.forward(_ln2.forward(h))));
        return h.add(m, _one);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _ln1.Dispose(); _qkv.Dispose(); _proj.Dispose(); _ln2.Dispose(); _fc1.Dispose(); _fc2.Dispose(); _one.Dispose(); }
        base.Dispose(disposing);
    }
}
