using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace P2PNode.Training.Models;

/// <summary>
/// conv3×3(c1, pad 1) → ReLU → maxpool 2 → conv3×3(c2, pad 1) → ReLU → maxpool 2 → fc(hidden) → ReLU → fc(classes).
/// With the defaults (1×28×28 → 32 → 64 → 128 → 10) it has 421,642 parameters and reaches ~90% on Fashion-MNIST
/// in one epoch. No batch norm and no dropout on purpose: no buffers to average and no randomness in forward.
/// Parameter order: conv1.weight, conv1.bias, conv2.weight, conv2.bias, fc1.weight, fc1.bias, fc2.weight, fc2.bias.
/// </summary>
internal sealed class FashionCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _conv1;
    private readonly Conv2d _conv2;
    private readonly Linear _fc1;
    private readonly Linear _fc2;

    public FashionCnn(ModelSpec spec) : base("cnn")
    {
        var side = spec.ImageSize / 4;
        _conv1 = nn.Conv2d(spec.InputChannels, spec.Conv1Channels, 3, padding: 1);
        _conv2 = nn.Conv2d(spec.Conv1Channels, spec.Conv2Channels, 3, padding: 1);
        _fc1 = nn.Linear((long)spec.Conv2Channels * side * side, spec.Hidden);
        _fc2 = nn.Linear(spec.Hidden, spec.Classes);
        // Explicit registration fixes the parameter order (reflection order is not guaranteed).
        register_module("conv1", _conv1);
        register_module("conv2", _conv2);
        register_module("fc1", _fc1);
        register_module("fc2", _fc2);
    }

    public override Tensor forward(Tensor x)
    {
        using var c1 = _conv1.forward(x);
        using var r1 = nn.functional.relu(c1);
        using var p1 = nn.functional.max_pool2d(r1, 2);
        using var c2 = _conv2.forward(p1);
        using var r2 = nn.functional.relu(c2);
        using var p2 = nn.functional.max_pool2d(r2, 2);
        using var flat = p2.flatten(1);
        using var h = _fc1.forward(flat);
        using var rh = nn.functional.relu(h);
        return _fc2.forward(rh);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _conv1.Dispose(); _conv2.Dispose(); _fc1.Dispose(); _fc2.Dispose(); }
        base.Dispose(disposing);
    }
}
