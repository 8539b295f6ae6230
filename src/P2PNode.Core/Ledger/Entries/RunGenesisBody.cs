using System.Text.Json.Nodes;

namespace P2PNode.Ledger.Entries;

/// <summary>The run manifest: what is trained, how, on what data policy, from which initial model.
/// Its author is the run's creator; its entry hash is the run id every later entry carries.</summary>
public sealed record RunGenesisBody : EntryBody
{
    public required string Name { get; init; }
    public required string Model { get; init; }
    /// <summary>Hyperparameters as a JSON text (opaque to the ledger, shown to auditors).</summary>
    public required string Hyperparameters { get; init; }
    public required string DataPolicy { get; init; }
    public required byte[] InitialModel { get; init; }

    public override EntryKind Kind => EntryKind.RunGenesis;

    public override void Write(CanonicalWriter w)
    {
        w.Str(Name); w.Str(Model); w.Str(Hyperparameters); w.Str(DataPolicy); w.Hash(InitialModel);
    }

    public static RunGenesisBody ReadFrom(ref CanonicalReader r) => new()
    {
        Name = r.Str("name"), Model = r.Str("model"), Hyperparameters = r.Str("hyperparameters"),
        DataPolicy = r.Str("data_policy"), InitialModel = r.Hash("initial_model"),
    };

    public override JsonObject ToJson() => new()
    {
        ["name"] = Name, ["model"] = Model, ["hyperparameters"] = Hyperparameters,
        ["data_policy"] = DataPolicy, ["initial_model"] = Hex(InitialModel),
    };
}
