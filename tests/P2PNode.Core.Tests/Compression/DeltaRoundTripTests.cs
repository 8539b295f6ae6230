using P2PNode.Compression;

namespace P2PNode.Core.Tests.Compression;

public class DeltaRoundTripTests
{
    public static TheoryData<string> Specs()
    {
        var data = new TheoryData<string>();
        foreach (var s in TestVectors.AllSpecs()) data.Add(s.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Decoded_values_are_within_the_codec_error_bound_and_only_at_selected_indices(string specText)
    {
        var spec = DeltaCodecSpec.Parse(specText);
        var encoder = new DeltaEncoder(spec);
        foreach (var n in TestVectors.Lengths)
        {
            var x = TestVectors.Gaussian(n, seed: n + 17);
            var payload = encoder.Encode(x);
            var header = DeltaDecoder.ReadHeader(payload);
            Assert.Equal(n, header.ElementCount);
            Assert.Equal(spec.SelectedCount(n), header.ValueCount);
            Assert.Equal(payload.Length, header.TotalLength);

            var y = DeltaDecoder.Decode(payload, n);
            var selected = ExpectedTopK(x, spec.SelectedCount(n));
            var sent = selected.Order().ToArray();
            for (var i = 0; i < n; i++)
            {
                Assert.True(float.IsFinite(y[i]));
                if (!selected.Contains(i))
                {
                    Assert.Equal(0f, y[i]);
                    continue;
                }
                Assert.True(Math.Abs(x[i] - y[i]) <= Bound(spec, x, sent, i),
                    $"{spec} n={n} i={i}: x={x[i]} decoded={y[i]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void DecodeAdd_equals_base_plus_weight_times_Decode(string specText)
    {
        var spec = DeltaCodecSpec.Parse(specText);
        const int n = 5000;
        var payload = new DeltaEncoder(spec).Encode(TestVectors.Gaussian(n, 3));
        var decoded = DeltaDecoder.Decode(payload, n);
        var acc = TestVectors.Gaussian(n, 4);
        var expected = acc.Select((a, i) => a + 0.25f * decoded[i]).ToArray();
        DeltaDecoder.DecodeAdd(payload, n, acc, 0.25f);
        Assert.Equal(expected, acc);
    }

    [Fact]
    public void Encoding_is_deterministic_and_independent_of_error_feedback_when_the_residual_is_zero()
    {
        var x = TestVectors.Gaussian(10_000, 5);
        foreach (var spec in TestVectors.AllSpecs())
        {
            var plain = new DeltaEncoder(spec).Encode(x);
            Assert.Equal(plain, new DeltaEncoder(spec).Encode(x));
            Assert.Equal(plain, new DeltaEncoder(spec).Encode(x, new ErrorFeedback(x.Length)));
        }
    }

    [Fact]
    public void Top_k_breaks_ties_towards_lower_indices_and_handles_all_zero_input()
    {
        var x = new float[100];
        for (var i = 0; i < x.Length; i++) x[i] = i % 2 == 0 ? 1f : -1f; // 100 equal magnitudes
        var spec = new DeltaCodecSpec { Values = DeltaValueCodec.Float32, Density = 0.05 };
        var y = DeltaDecoder.Decode(new DeltaEncoder(spec).Encode(x), x.Length);
        Assert.Equal([1f, -1f, 1f, -1f, 1f], y[..5]);
        Assert.All(y[5..], v => Assert.Equal(0f, v));

        var zeros = new DeltaEncoder(spec).Encode(new float[100]);
        Assert.Equal(5, DeltaDecoder.ReadHeader(zeros).ValueCount);
        Assert.All(DeltaDecoder.Decode(zeros, 100), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Index_encoding_is_the_smaller_of_varints_and_bitmap()
    {
        var x = TestVectors.Gaussian(8000, 6);
        var sparse = new DeltaEncoder(DeltaCodecSpec.TopKInt8(0.01)).Encode(x);
        var dense = new DeltaEncoder(DeltaCodecSpec.TopKInt8(0.5)).Encode(x);
        Assert.Equal(DeltaIndexEncoding.DeltaVarint, DeltaDecoder.ReadHeader(sparse).Indices);
        var h = DeltaDecoder.ReadHeader(dense);
        Assert.Equal(DeltaIndexEncoding.Bitmap, h.Indices);
        Assert.Equal(1000, h.IndexBytes);
    }

    [Fact]
    public void Extreme_magnitudes_stay_finite_and_tiny_blocks_are_sent_as_zero()
    {
        float[] x = [float.MaxValue, -float.MaxValue, 1e-38f, 1e30f, 3e-45f, 0f, -0f, 1f];
        foreach (var spec in TestVectors.AllSpecs().Where(s => !s.IsSparse))
        {
            var y = DeltaDecoder.Decode(new DeltaEncoder(spec).Encode(x), x.Length);
            Assert.All(y, v => Assert.True(float.IsFinite(v), $"{spec}: {v}"));
        }
        var tiny = new float[64];
        tiny[3] = 1e-37f;
        var payload = new DeltaEncoder(DeltaCodecSpec.Int8Dense).Encode(tiny);
        Assert.All(DeltaDecoder.Decode(payload, 64), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Encoder_rejects_non_finite_input_without_touching_the_residual()
    {
        foreach (var spec in new[] { DeltaCodecSpec.Int8Dense, DeltaCodecSpec.TopKInt4(0.1), new DeltaCodecSpec { Values = DeltaValueCodec.BFloat16 } })
        {
            var x = TestVectors.Gaussian(300, 7);
            var ef = new ErrorFeedback(300);
            TestVectors.Gaussian(300, 8).CopyTo(ef.Values);
            var before = ef.Values.ToArray();
            x[250] = float.NaN;
            var e = Assert.Throws<ArgumentException>(() => new DeltaEncoder(spec).Encode(x, ef));
            Assert.Contains("[250]", e.Message);
            Assert.Equal(before, ef.Values.ToArray());

            x[250] = float.MaxValue;
            ef.Values[250] = float.MaxValue; // finite + finite overflows to infinity
            before = ef.Values.ToArray();
            Assert.Throws<ArgumentException>(() => new DeltaEncoder(spec).Encode(x, ef));
            Assert.Equal(before, ef.Values.ToArray());
        }
        Assert.Throws<ArgumentException>(() => new DeltaEncoder(DeltaCodecSpec.Int8Dense).Encode(new float[3], new ErrorFeedback(4)));
    }

    /// <summary>Reference top-k by full sort: largest |x| first, ties to the lower index.</summary>
    private static HashSet<int> ExpectedTopK(float[] x, int k) =>
        [.. Enumerable.Range(0, x.Length).OrderByDescending(i => Math.Abs(x[i])).ThenBy(i => i).Take(k)];

    private static double Bound(DeltaCodecSpec spec, float[] x, int[] sent, int i)
    {
        switch (spec.Values)
        {
            case DeltaValueCodec.Float32: return 0;
            case DeltaValueCodec.Float16: return Math.Abs(x[i]) * Math.Pow(2, -11) + Math.Pow(2, -25);
            case DeltaValueCodec.BFloat16: return Math.Abs(x[i]) * Math.Pow(2, -8);
        }
        // Quantized: half a step of the block's scale (blocks run over the selected values in index order).
        var j = Array.BinarySearch(sent, i);
        var block = sent.Skip(j / spec.BlockSize * spec.BlockSize).Take(spec.BlockSize);
        var absMax = block.Max(b => Math.Abs(x[b]));
        var levels = spec.Values == DeltaValueCodec.Int8 ? 127 : 7;
        return absMax / levels * 0.5000001 + 1e-38;
    }
}
