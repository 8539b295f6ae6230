namespace P2PNode.Training.Data;

/// <summary>
/// An in-memory classification dataset: <see cref="Count"/> samples of <see cref="SampleShape"/> (e.g. [1, 28, 28])
/// stored row-major in <see cref="Features"/> as normalised float32, and integer labels in [0, <see cref="Classes"/>).
/// Nodes train on index subsets of one shared dataset (see <see cref="Partitioner"/>), so it is never copied.
/// </summary>
public sealed class LabeledDataset
{
    public float[] Features { get; }
    public int[] Labels { get; }
    public int[] SampleShape { get; }
    public int Classes { get; }
    public int Count => Labels.Length;
    public int SampleSize { get; }

    public LabeledDataset(float[] features, int[] labels, int[] sampleShape, int classes)
    {
        if (sampleShape.Length == 0 || sampleShape.Any(d => d <= 0)) throw new ArgumentException("sample shape must have positive dimensions");
        SampleSize = sampleShape.Aggregate(1, (a, d) => checked(a * d));
        if ((long)labels.Length * SampleSize != features.Length)
            throw new ArgumentException($"{features.Length} features do not match {labels.Length} labels of size {SampleSize}");
        if (classes < 1) throw new ArgumentException("classes must be >= 1");
        for (var i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentException($"label {labels[i]} of sample {i} is outside [0, {classes})");
        Features = features;
        Labels = labels;
        SampleShape = sampleShape;
        Classes = classes;
    }

    /// <summary>The first <paramref name="n"/> samples as a new dataset (for --limit and quick runs).</summary>
    public LabeledDataset Take(int n)
    {
        n = Math.Clamp(n, 0, Count);
        return new LabeledDataset(Features[..(n * SampleSize)], Labels[..n], SampleShape, Classes);
    }

    /// <summary>Number of samples per class among <paramref name="indices"/> (all samples when null).</summary>
    public int[] ClassCounts(IEnumerable<int>? indices = null)
    {
        var counts = new int[Classes];
        foreach (var i in indices ?? Enumerable.Range(0, Count)) counts[Labels[i]]++;
        return counts;
    }
}
