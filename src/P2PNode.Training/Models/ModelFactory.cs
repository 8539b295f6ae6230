using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Training.Models;

/// <summary>Builds a model from its spec with deterministic parameters (see <see cref="ParameterInit"/>).</summary>
public static class ModelFactory
{
    /// <summary>
    /// A new model on the CPU, in training mode, whose parameters depend only on <paramref name="spec"/> and
    /// <paramref name="seed"/>. Classifiers take float32 [B, C, H, W] and return logits [B, classes]; the LM takes
    /// int64 [B, T] token ids and returns logits [B, T, V].
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(ModelSpec spec, long seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        CpuConvolution.Configure(); // before any model runs: see why there
        nn.Module<Tensor, Tensor> model = spec.Kind switch
        {
            ModelKind.Cnn => new FashionCnn(spec),
            ModelKind.Mlp => new Mlp(spec),
            _ => new DecoderTransformer(spec),
        };
        var parameters = model.named_parameters().ToList();
        var shapes = parameters.ToDictionary(p => p.name, p => p.parameter.shape, StringComparer.Ordinal);
        using (torch.no_grad())
        {
            foreach (var (name, p) in parameters)
            {
                var values = ParameterInit.Values(spec, seed, name, p.shape, n => shapes.GetValueOrDefault(n));
                using var t = torch.tensor(values, p.shape);
                p.copy_(t);
            }
        }
        model.train();
        return model;
    }
}
