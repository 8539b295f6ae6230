using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace P2PNode.Training.Models;

/// <summary>
/// flatten → (fc(hidden) → ReLU) × layers → fc(classes). Parameter order: fc0.weight, fc0.bias, fc1.weight, …,
/// out.weight, out.bias.
/// </summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear[] _hidden;
    private readonly Linear _out;

    public Mlp(ModelSpec spec) : base("mlp")
    {
        long inputs = (long)spec.InputChannels * spec.ImageSize * spec.ImageSize;
        _hidden = new Linear[spec.HiddenLayers];
        for (var i = 0; i < _hidden.Length; i++)
        {
            _hidden[i] = nn.Linear(i == 0 ? inputs : spec.Hidden, spec.Hidden);
            register_module("fc" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), _hidden[i]);
        }
        _out = nn.Linear(spec.Hidden, spec.Classes);
        register_module("out", _out);
    }

    public override Tensor forward(Tensor x)
    {
        var h = x.flatten(1);
        foreach (var layer in _hidden)
        {
            using var lin = layer.forward(h);
            h.Dispose();
            h = nn.functional.relu(lin);
        }
        using (h) return _out.forward(h);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { foreach (var l in _hidden) l.Dispose(); _out.Dispose(); }
        base.Dispose(disposing);
    }
}
