using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Training.State;

/// <summary>
/// The fixed order in which a model's tensors are laid end to end in its flat float32 vector:
/// first every parameter in <c>named_parameters()</c> order (the registration order of our model classes, which
/// is documented on each class), then every floating-point buffer in <c>named_buffers()</c> order. Our models
/// have no buffers today (no batch norm), so the flat vector is exactly the parameters; the rule is fixed now so
/// that adding a normalisation layer later does not silently change what is averaged. Integer buffers (step
/// counters) are never part of the state. Each tensor is flattened in row-major (C) order.
/// </summary>
public sealed class ParameterLayout
{
    public IReadOnlyList<TensorEntry> Entries { get; }

    /// <summary>Total number of float32 elements in the flat vector.</summary>
    public long Total { get; }

    public ParameterLayout(IReadOnlyList<TensorEntry> entries)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var e in entries)
        {
            if (!names.Add(e.Name)) throw new ArgumentException($"duplicate tensor name '{e.Name}'");
            if (e.Offset != offset) throw new ArgumentException($"tensor '{e.Name}' starts at {e.Offset}, expected {offset}");
            if (e.Count != e.Shape.Aggregate(1L, (a, d) => a * d)) throw new ArgumentException($"tensor '{e.Name}' count {e.Count} does not match its shape");
            offset += e.Count;
        }
        Entries = entries;
        Total = offset;
    }

    /// <summary>The state tensors of a module, in layout order (parameters, then float buffers).</summary>
    public static IReadOnlyList<(string Name, Tensor Tensor)> StateTensors(nn.Module module)
    {
        var list = new List<(string, Tensor)>();
        foreach (var (name, p) in module.named_parameters()) list.Add((name, p));
        foreach (var (name, b) in module.named_buffers())
            if (b.is_floating_point()) list.Add((name, b));
        return list;
    }

    public static ParameterLayout Of(nn.Module module)
    {
        var entries = new List<TensorEntry>();
        long offset = 0;
        foreach (var (name, t) in StateTensors(module))
        {
            if (t.dtype != ScalarType.Float32) throw new NotSupportedException($"state tensor '{name}' is {t.dtype}; only float32 is supported");
            var count = t.numel();
            entries.Add(new TensorEntry(name, t.shape, offset, count));
            offset += count;
        }
        return new ParameterLayout(entries);
    }

    /// <summary>True when both layouts have the same names and shapes in the same order.</summary>
    public bool SameAs(ParameterLayout other) =>
        Entries.Count == other.Entries.Count
        && Entries.Zip(other.Entries).All(p => p.First.Name == p.Second.Name && p.First.Shape.SequenceEqual(p.Second.Shape));
}
