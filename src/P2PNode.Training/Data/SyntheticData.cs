namespace P2PNode.Training.Data;

/// <summary>Small generated datasets for unit tests and demos: learnable, deterministic from a seed, no files.</summary>
public static class SyntheticData
{
    /// <summary>
    /// Gaussian blobs: class c has a random prototype (standard normal per feature, purpose "synthetic/prototypes");
    /// sample i has label i mod classes and features prototype + noise·N(0,1) (purpose "synthetic/samples").
    /// With noise ≤ 1 a linear model separates the classes well, so a few training steps show learning.
    /// </summary>
    public static LabeledDataset Classification(int count, int classes, int[] sampleShape, long seed, double noise = 1.0)
    {
        if (count < 1 || classes < 1) throw new ArgumentException("count and classes must be >= 1");
        var size = sampleShape.Aggregate(1, (a, d) => checked(a * d));
        var protoRng = DeterministicRng.ForPurpose(seed, "synthetic/prototypes");
        var prototypes = new float[classes * size];
        for (var i = 0; i < prototypes.Length; i++) prototypes[i] = (float)protoRng.NextNormal();
        var rng = DeterministicRng.ForPurpose(seed, "synthetic/samples");
        var features = new float[(long)count * size];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var c = i % classes;
            labels[i] = c;
            for (var j = 0; j < size; j++) features[(long)i * size + j] = prototypes[c * size + j] + (float)(noise * rng.NextNormal());
        }
        return new LabeledDataset(features, labels, sampleShape, classes);
    }

    /// <summary>
    /// Text from a random order-1 Markov chain over 16 letters where each letter has 2 likely successors
    /// (purpose "synthetic/text"): about 1 bit of entropy per byte, far below the 8 bits of a uniform guess,
    /// so a byte LM that learns anything shows it in bits-per-byte.
    /// </summary>
    public static byte[] Text(int length, long seed)
    {
        var rng = DeterministicRng.ForPurpose(seed, "synthetic/text");
        const string alphabet = "abcdefghijklmnop";
        var next = new int[alphabet.Length, 2];
        for (var a = 0; a < alphabet.Length; a++) { next[a, 0] = rng.NextInt(alphabet.Length); next[a, 1] = rng.NextInt(alphabet.Length); }
        var text = new byte[length];
        var cur = 0;
        for (var i = 0; i < length; i++)
        {
            text[i] = (byte)alphabet[cur];
            cur = next[cur, rng.NextInt(2)];
        }
        return text;
    }
}
