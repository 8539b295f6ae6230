using P2PNode.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Training.State;

/// <summary>
/// A model's state seen as one flat float32 vector in <see cref="ParameterLayout"/> order: read it, overwrite it,
/// hash it, checkpoint it. Works on any device (copies go through the CPU). Not thread-safe: use it from the
/// thread that trains the model.
/// </summary>
public sealed class ModelState
{
    private readonly nn.Module _model;
    private readonly IReadOnlyList<(string Name, Tensor Tensor)> _tensors;

    public ModelSpec Spec { get; }
    public ParameterLayout Layout { get; }

    public ModelState(ModelSpec spec, nn.Module model)
    {
        Spec = spec;
        _model = model;
        _tensors = ParameterLayout.StateTensors(model);
        Layout = ParameterLayout.Of(model);
    }

    public float[] GetFlat()
    {
        var flat = new float[Layout.Total];
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        for (var i = 0; i < _tensors.Count; i++)
        {
            var e = Layout.Entries[i];
            var cpu = _tensors[i].Tensor.detach().cpu().contiguous();
            cpu.data<float>().CopyTo(flat.AsSpan((int)e.Offset, (int)e.Count));
        }
        return flat;
    }

    /// <summary>Overwrites every state tensor. Wrong length or a NaN/±Inf value is an <see cref="ArgumentException"/> and changes nothing.</summary>
    public void SetFlat(ReadOnlySpan<float> flat)
    {
        if (flat.Length != Layout.Total) throw new ArgumentException($"flat vector has {flat.Length} elements, the model ({Spec.Canonical}) has {Layout.Total}");
        for (var i = 0; i < flat.Length; i++)
            if (!float.IsFinite(flat[i])) throw new ArgumentException($"flat vector element {i} is {flat[i]}; model state must be finite");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        for (var i = 0; i < _tensors.Count; i++)
        {
            var e = Layout.Entries[i];
            var dst = _tensors[i].Tensor;
            var src = torch.tensor(flat.Slice((int)e.Offset, (int)e.Count).ToArray(), e.Shape, device: dst.device);
            dst.copy_(src);
        }
    }

    public byte[] Hash() => ModelHasher.Compute(Spec.Canonical, Layout, GetFlat());

    public void SaveCheckpoint(Stream output, IReadOnlyDictionary<string, string>? extraMetadata = null) =>
        Checkpoint.Save(output, Spec.Canonical, Layout, GetFlat(), extraMetadata);

    /// <summary>Strict load: see <see cref="Checkpoint"/>. The model is untouched when the checkpoint is refused.</summary>
    public LoadedCheckpoint LoadCheckpoint(Stream input)
    {
        var loaded = Checkpoint.Load(input, Spec.Canonical, Layout);
        SetFlat(loaded.Flat);
        return loaded;
    }

    /// <summary>Plain safetensors export (metadata: format "pt" for tool compatibility and the spec).</summary>
    public void ExportSafetensors(Stream output) =>
        Safetensors.Write(output, Layout, GetFlat(), new Dictionary<string, string> { ["format"] = "pt", ["p2pnode.spec"] = Spec.Canonical });
}
