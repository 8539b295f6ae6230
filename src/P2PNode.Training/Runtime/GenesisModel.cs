using P2PNode.Training.Models;
using P2PNode.Training.State;

namespace P2PNode.Training.Runtime;

/// <summary>The run's initial model, built from the spec and seed alone (no data): every node gets the same one.</summary>
public static class GenesisModel
{
    public static (byte[] Hash, ParameterLayout Layout, long Parameters) Describe(ModelSpec spec, long seed)
    {
        using var model = ModelFactory.Create(spec, seed);
        var state = new ModelState(spec, model);
        return (state.Hash(), state.Layout, state.Layout.Total);
    }
}
