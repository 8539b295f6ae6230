using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace P2PNode.Training.Models;

/// <summary>
/// Byte-level causal language model: input int64 [B, T] of byte values (T ≤ context), output logits [B, T, 256]
/// predicting the next byte at each position. Learned token and position embeddings, pre-norm blocks, final
/// LayerNorm, untied output head without bias.
/// Parameter order (named_parameters lists a module's own parameters before its children's, as PyTorch does):
/// pos [context, W], tok.weight [256, W], blocks.0.* … blocks.{L-1}.* (see TransformerBlock),
/// ln_f.weight, ln_f.bias, head.weight [256, W].
/// </summary>
internal sealed class ByteTransformer : nn.Module<Tensor, Tensor>
{
    private readonly Embedding _tok;
    private readonly Parameter _pos;
    private readonly ModuleList<TransformerBlock> _blocks;
    private readonly LayerNorm _lnF;
    private readonly Linear _head;
    private readonly int _context;

    public ByteTransformer(ModelSpec spec) : base("lm")
    {
        _context = spec.Context;
        _tok = nn.Embedding(ModelSpec.Vocabulary, spec.Width);
        _pos = new Parameter(torch.zeros(spec.Context, spec.Width));
        _blocks = nn.ModuleList(Enumerable.Range(0, spec.Layers).Select(_ => new TransformerBlock(spec.Width, spec.Heads)).ToArray());
        _lnF = nn.LayerNorm(spec.Width);
        _head = nn.Linear(spec.Width, ModelSpec.Vocabulary, hasBias: false);
        register_module("tok", _tok);
        register_parameter("pos", _pos);
        register_module("blocks", _blocks);
        register_module("ln_f", _lnF);
        register_module("head", _head);
    }

    public override Tensor forward(Tensor tokens)
    {
        var t = tokens.shape[1];
        if (t > _context) throw new ArgumentException($"sequence length {t} exceeds the model context {_context}");
        var x = _tok.forward(tokens).add(_pos.narrow(0, 0, t));
        foreach (var block in _blocks) x = block.forward(x);
        return _head.forward(_lnF.forward(x));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _tok.Dispose(); _pos.Dispose(); _blocks.Dispose(); _lnF.Dispose(); _head.Dispose(); }
        base.Dispose(disposing);
    }
}
