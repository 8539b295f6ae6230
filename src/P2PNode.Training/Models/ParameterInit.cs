namespace P2PNode.Training.Models;

/// <summary>
/// Initial parameter values computed in C# from the run's seed, not by torch's generator, so every node (and
/// every platform, libtorch build or device) starts from bit-identical weights. Every value is drawn from a
/// uniform distribution because uniform sampling needs only IEEE-exact arithmetic (+, ×, √), unlike Gaussian
/// sampling which needs log/cos whose last bit differs between math libraries.
/// </summary>
/// <remarks>
/// For parameter <c>name</c> of shape <c>s</c>: rng = DeterministicRng.ForPurpose(seed, "init/" + spec.Canonical
/// + "/" + name); for each element in row-major order: u = rng.NextFloat() (24-bit, in [0,1)), value =
/// (float)((2u − 1) · b) computed in double, where the bound b is:
/// <list type="bullet">
/// <item>cnn/mlp weight (rank ≥ 2): b = 1/√fan_in, fan_in = product of s[1..] (PyTorch's default for Linear/Conv2d).</item>
/// <item>cnn/mlp bias: b = 1/√fan_in of the weight of the same layer (PyTorch's default).</item>
/// <item>lm LayerNorm (ln1, ln2, ln_f): weight = 1 and bias = 0 exactly, no draw.</item>
/// <item>lm other bias: 0 exactly.</item>
/// <item>lm tok.weight, pos, qkv.weight, fc1.weight, head.weight: standard deviation 0.02, so b = 0.02·√3.</item>
/// <item>lm proj.weight and fc2.weight (residual outputs, GPT-2 scaling): standard deviation 0.02/√(2·layers).</item>
/// </list>
/// </remarks>
public static class ParameterInit
{
    public static float[] Values(ModelSpec spec, long seed, string name, long[] shape, Func<string, long[]?> shapeOf)
    {
        var count = 1L;
        foreach (var d in shape) count *= d;
        var values = new float[count];
        var bound = Bound(spec, name, shape, shapeOf, out var constant);
        if (bound is null)
        {
            Array.Fill(values, constant);
            return values;
        }
        var rng = DeterministicRng.ForPurpose(seed, "init/" + spec.Canonical + "/" + name);
        var b = bound.Value;
        for (var i = 0; i < values.Length; i++) values[i] = (float)((2.0 * rng.NextFloat() - 1.0) * b);
        return values;
    }

    /// <summary>The uniform bound for a parameter, or null with a constant fill value.</summary>
    private static double? Bound(ModelSpec spec, string name, long[] shape, Func<string, long[]?> shapeOf, out float constant)
    {
        constant = 0;
        var dot = name.LastIndexOf('.');
        var owner = dot < 0 ? "" : name[..dot];
        var leaf = dot < 0 ? name : name[(dot + 1)..];
        var ownerLeaf = owner[(owner.LastIndexOf('.') + 1)..];
        if (spec.IsClassifier)
        {
            var weightShape = leaf == "bias" ? shapeOf(owner + ".weight") : shape;
            if (weightShape is null || weightShape.Length < 2)
                throw new InvalidOperationException($"init: no weight found for classifier parameter '{name}'");
            long fanIn = 1;
            for (var i = 1; i < weightShape.Length; i++) fanIn *= weightShape[i];
            return 1.0 / Math.Sqrt(fanIn);
        }
        if (ownerLeaf.StartsWith("ln", StringComparison.Ordinal))
        {
            constant = leaf == "weight" ? 1f : 0f;
            return null;
        }
        if (leaf == "bias") return null;
        var std = ownerLeaf is "proj" or "fc2" ? 0.02 / Math.Sqrt(2.0 * spec.Layers) : 0.02;
        return std * Math.Sqrt(3.0);
    }
}
