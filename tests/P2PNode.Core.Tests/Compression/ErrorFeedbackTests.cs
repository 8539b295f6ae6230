using P2PNode.Compression;

namespace P2PNode.Core.Tests.Compression;

public class ErrorFeedbackTests
{
    [Fact]
    public void Sent_plus_new_residual_equals_delta_plus_old_residual_bit_for_bit()
    {
        var checkedValues = 0;
        foreach (var spec in TestVectors.AllSpecs())
        {
            var encoder = new DeltaEncoder(spec);
            const int n = 3000;
            var ef = new ErrorFeedback(n);
            // Magnitudes from subnormal-adjacent to huge, over several rounds so the residual builds up.
            float[] scales = spec.Values == DeltaValueCodec.Float16 ? [1e-3f, 1e-9f, 30f] : [1e-3f, 1e-30f, 1e25f, 1f];
            for (var round = 0; round < 8; round++)
            {
                var delta = TestVectors.Gaussian(n, seed: round * 31 + 1, sigma: scales[round % scales.Length]);
                var given = new float[n];
                for (var i = 0; i < n; i++) given[i] = delta[i] + ef.Values[i];

                var sent = DeltaDecoder.Decode(encoder.Encode(delta, ef), n);
                for (var i = 0; i < n; i++)
                {
                    var sum = sent[i] + ef.Values[i];
                    if (BitConverter.SingleToInt32Bits(sum) != BitConverter.SingleToInt32Bits(given[i]))
                        Assert.Fail($"{spec} round {round} i={i}: sent {sent[i]:R} + residual {ef.Values[i]:R} = {sum:R}, given {given[i]:R}");
                    checkedValues++;
                }
            }
        }
        Assert.True(checkedValues > 100_000);
    }

    [Fact]
    public void Error_feedback_eventually_sends_coordinates_that_top_k_skipped()
    {
        // A constant small gradient on one coordinate loses to a big one every round, but accumulates.
        const int n = 100;
        var encoder = new DeltaEncoder(new DeltaCodecSpec { Values = DeltaValueCodec.Float32, Density = 0.01 });
        var ef = new ErrorFeedback(n);
        var delta = new float[n];
        delta[0] = 1f;
        delta[7] = 0.3f;
        var sentTo7 = 0f;
        for (var round = 0; round < 10; round++)
            sentTo7 += DeltaDecoder.Decode(encoder.Encode(delta, ef), n)[7];
        Assert.True(sentTo7 > 0f, "coordinate 7 was never sent despite error feedback");
        Assert.Equal(3f, sentTo7 + ef.Values[7], 4);
    }

    [Fact]
    public void Reset_clears_and_norm_measures_the_residual()
    {
        var ef = new ErrorFeedback(4);
        ef.Values[0] = 3f;
        ef.Values[3] = 4f;
        Assert.Equal(5.0, ef.Norm(), 12);
        ef.Reset();
        Assert.Equal(0.0, ef.Norm());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ErrorFeedback(-1));
    }
}
