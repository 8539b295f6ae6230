namespace P2PNode.Training.State;

/// <summary>One named tensor of a model's state: its shape and its place in the flat vector (in elements).</summary>
public sealed record TensorEntry(string Name, long[] Shape, long Offset, long Count)
{
    /// <summary>"name d0,d1,…" — the line this tensor contributes to the model hash header.</summary>
    public string Describe() => Name + " " + string.Join(",", Shape.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
