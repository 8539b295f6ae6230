using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace P2PNode.Training.Models;

/// <summary>
/// Decoder-only causal language model: input int64 token ids [B, T] (T ≤ context), output logits [B, T, V] predicting
/// the next token at each position. Token embedding (+ learned position embedding, or rotary positions inside the
/// attention), pre-norm blocks (see <see cref="TransformerBlock"/>), final LayerNorm, then the output head: its own
/// [V, W] matrix without bias, or the token embedding matrix itself when tied (logits = x·tok.weightᵀ).
/// Parameter order (named_parameters lists a module's own parameters before its children's, as PyTorch does):
/// pos [context, W] (learned positions only), tok.weight [V, W], blocks.0.* … blocks.{L-1}.*, ln_f.weight,
/// ln_f.bias, head.weight [V, W] (untied only). The lm/v1 byte model is the case V = 256, learned, untied.
/// </summary>
internal sealed class DecoderTransformer : nn.Module<Tensor, Tensor>
{
    private readonly Embedding _tok;
    private readonly Parameter? _pos;
    private readonly ModuleList<TransformerBlock> _blocks;
    private readonly LayerNorm _lnF;
    private readonly Linear? _head;
    private readonly RotaryEmbedding? _rotary;
    private readonly int _context;
    private readonly Scalar _one = 1.0.ToScalar(); // held: Tensor.add(Tensor) would make an unheld alpha Scalar

    public DecoderTransformer(ModelSpec spec) : base("lm")
    {
        _context = spec.Context;
        _tok = nn.Embedding(spec.Vocabulary, spec.Width);
        if (spec.Positions == PositionEncoding.Learned) _pos = new Parameter(torch.zeros(spec.Context, spec.Width));
        else _rotary = new RotaryEmbedding(spec.Width / spec.Heads, spec.Context);
        _blocks = nn.ModuleList(Enumerable.Range(0, spec.Layers).Select(_ => new TransformerBlock(spec.Width, spec.Heads, _rotary)).ToArray());
        _lnF = nn.LayerNorm(spec.Width);
        if (!spec.TiedEmbeddings) _head = nn.Linear(spec.Width, spec.Vocabulary, hasBias: false);
        register_module("tok", _tok);
        if (_pos is not null) register_parameter("pos", _pos);
        register_module("blocks", _blocks);
        register_module("ln_f", _lnF);
        if (_head is not null) register_module("head", _head);
    }

    public override Tensor forward(Tensor tokens)
    {
        var t = tokens.shape[1];
        if (t > _context) throw new ArgumentException($"sequence length {t} exceeds the model context {_context}");
        var x = _tok.forward(tokens);
        if (_pos is not null) x = x.add(_pos.narrow(0, 0, t), _one);
        foreach (var block in _blocks) x = block.forward(x);
        x = _lnF.forward(x);
        return _head is not null ? _head.forward(x) : nn.functional.linear(x, _tok.weight!);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _tok.Dispose(); _pos?.Dispose(); _blocks.Dispose(); _lnF.Dispose(); _head?.Dispose(); _rotary?.Dispose(); _one.Dispose(); }
        base.Dispose(disposing);
    }
}
