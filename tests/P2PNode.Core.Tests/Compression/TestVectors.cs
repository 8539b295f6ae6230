using P2PNode.Compression;

namespace P2PNode.Core.Tests.Compression;

/// <summary>Seeded pseudo-gradients for codec tests: Gaussian with a few outliers, like real deltas.</summary>
internal static class TestVectors
{
    public static float[] Gaussian(int n, int seed, float sigma = 1e-3f, double outlierRate = 0.001)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (var i = 0; i < n; i++)
        {
            var u1 = 1.0 - rng.NextDouble();
            var g = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * rng.NextDouble());
            x[i] = (float)(g * sigma * (rng.NextDouble() < outlierRate ? 50 : 1));
        }
        return x;
    }

    /// <summary>All codec shapes worth covering: every value codec, dense and sparse, odd/even blocks.</summary>
    public static IEnumerable<DeltaCodecSpec> AllSpecs()
    {
        foreach (var values in Enum.GetValues<DeltaValueCodec>())
        {
            var quantized = values is DeltaValueCodec.Int8 or DeltaValueCodec.Int4;
            int[] blocks = !quantized ? [64] : values == DeltaValueCodec.Int4 ? [2, 64, 130] : [1, 7, 64, 128];
            foreach (var bs in blocks)
            foreach (var density in new[] { 1.0, 0.3, 0.01 })
                yield return new DeltaCodecSpec { Values = values, BlockSize = bs, Density = density };
        }
    }

    public static int[] Lengths => [0, 1, 2, 7, 8, 9, 63, 64, 65, 1000, 4099];
}
