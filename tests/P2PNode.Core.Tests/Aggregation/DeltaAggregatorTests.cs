using P2PNode.Aggregation;

namespace P2PNode.Core.Tests.Aggregation;

public class DeltaAggregatorTests
{
    private static DeltaContribution C(byte id, long samples, params float[] delta) =>
        new() { ContributorId = [id], Samples = samples, Delta = delta };

    [Fact]
    public void Weighted_mean_weights_by_sample_count()
    {
        var output = new float[2];
        var report = DeltaAggregator.Aggregate([C(1, 1, 1f, 10f), C(2, 3, 5f, 2f)], output);
        Assert.Equal([4f, 4f], output);
        Assert.Equal(4.0, report.TotalWeight);
        Assert.Empty(report.Rejected);
        Assert.Equal([1, 2], report.Accepted.Select(a => (int)a.ContributorId[0]));
    }

    [Fact]
    public void Any_arrival_order_gives_bit_identical_output_and_report()
    {
        const int n = 1003;
        var contributions = Enumerable.Range(0, 9).Select(i => new DeltaContribution
        {
            ContributorId = [(byte)(200 - i * 7), (byte)i],
            Samples = 100 + 37 * i,
            Delta = Compression.TestVectors.Gaussian(n, i, sigma: (float)Math.Pow(10, i - 4)),
        }).ToList();
        foreach (var options in new[] { new AggregationOptions(), new AggregationOptions { MedianNormMultiple = 2, TrimFraction = 0.2 } })
        {
            var reference = new float[n];
            var refReport = DeltaAggregator.Aggregate(contributions, reference, options);
            var rng = new Random(5);
            for (var trial = 0; trial < 10; trial++)
            {
                var shuffled = contributions.OrderBy(_ => rng.Next()).ToList();
                var output = new float[n];
                var report = DeltaAggregator.Aggregate(shuffled, output, options);
                Assert.Equal(reference.Select(BitConverter.SingleToInt32Bits), output.Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(refReport.Accepted.Select(a => (a.ContributorId[0], a.Norm, a.ClipFactor)),
                    report.Accepted.Select(a => (a.ContributorId[0], a.Norm, a.ClipFactor)));
            }
        }
    }

    [Fact]
    public void Bad_contributions_are_returned_as_rejections_with_reasons_not_thrown()
    {
        var output = new float[3];
        var report = DeltaAggregator.Aggregate(
        [
            C(9, 1, 1f, 1f, 1f),
            C(1, 5, 1f, float.NaN, 0f),
            C(2, 5, 1f, 2f),
            C(3, 0, 1f, 2f, 3f),
            C(4, 5, float.NegativeInfinity, 2f, 3f),
            C(5, 1, 7f, 7f, 7f),
            C(5, 1, 8f, 8f, 8f),
            new DeltaContribution { ContributorId = [], Samples = 1, Delta = new float[3] },
        ], output);
        Assert.Equal([1f, 1f, 1f], output);
        Assert.Equal([9], report.Accepted.Select(a => (int)a.ContributorId[0]));
        var reasons = report.Rejected.Select(r => (r.ContributorId.Length == 0 ? -1 : r.ContributorId[0], r.Reason, r.Detail)).ToList();
        Assert.Equal(
        [
            (-1, RejectionReason.Refused, "empty contributor id"),
            (1, RejectionReason.Nan, "delta value #1 is NaN: NaN and infinity are rejected"),
            (2, RejectionReason.WrongShape, "delta has 2 values, the model has 3"),
            (3, RejectionReason.Refused, "sample count 0 is not positive"),
            (4, RejectionReason.Nan, "delta value #0 is -Infinity: NaN and infinity are rejected"),
            (5, RejectionReason.Refused, "duplicate contributor id: 2 contributions in this round"),
            (5, RejectionReason.Refused, "duplicate contributor id: 2 contributions in this round"),
        ], reasons);
    }

    [Fact]
    public void Norm_clipping_scales_large_contributions_to_the_threshold()
    {
        var output = new float[2];
        var report = DeltaAggregator.Aggregate([C(1, 1, 3f, 4f), C(2, 1, 0f, 1f)], output, new AggregationOptions { MaxNorm = 1 });
        Assert.Equal(0.2, report.Accepted[0].ClipFactor, 15);
        Assert.Equal(5.0, report.Accepted[0].Norm, 15);
        Assert.Equal(1.0, report.Accepted[1].ClipFactor);
        Assert.Equal([0.3f, 0.9f], output);
        Assert.Equal(1.0, report.ClipThreshold);

        // Median of norms {1, 2, 100} is 2; multiple 2 clips the outlier to norm 4.
        report = DeltaAggregator.Aggregate([C(1, 1, 1f, 0f), C(2, 1, 0f, 2f), C(3, 1, 100f, 0f)], output,
            new AggregationOptions { MedianNormMultiple = 2 });
        Assert.Equal(4.0, report.ClipThreshold);
        Assert.Equal(0.04, report.Accepted[2].ClipFactor, 15);
        Assert.Equal([5f / 3, 2f / 3], output);
    }

    [Fact]
    public void Trimmed_mean_drops_extremes_per_coordinate_then_weights_the_rest()
    {
        var output = new float[2];
        var report = DeltaAggregator.Aggregate(
        [
            C(1, 1, 1f, -1000f),
            C(2, 2, 2f, 5f),
            C(3, 1, 1000f, 6f),
            C(4, 1, 4f, 7f),
            C(5, 1, -50f, 9f),
        ], output, new AggregationOptions { TrimFraction = 0.2 });
        Assert.Equal(1, report.TrimmedPerSide);
        // Coordinate 0 keeps 1 (w1), 2 (w2), 4 (w1): (1 + 4 + 4) / 4. Coordinate 1 keeps 5 (w2), 6, 7: (10 + 6 + 7) / 4.
        Assert.Equal([9f / 4, 23f / 4], output);
    }

    [Fact]
    public void Sample_cap_limits_the_weight_of_one_contributor()
    {
        var output = new float[1];
        var report = DeltaAggregator.Aggregate([C(1, 1_000_000, 10f), C(2, 10, 0f)], output, new AggregationOptions { MaxSamples = 10 });
        Assert.Equal([5f], output);
        Assert.Equal(10.0, report.Accepted[0].Weight);
        Assert.Equal(1_000_000, report.Accepted[0].Samples);
    }

    [Fact]
    public void No_valid_contribution_gives_zeros_and_zero_weight()
    {
        var output = new[] { 3f };
        var report = DeltaAggregator.Aggregate([C(1, 1, float.NaN)], output);
        Assert.Equal([0f], output);
        Assert.Equal(0.0, report.TotalWeight);
        Assert.Single(report.Rejected);
    }

    [Theory]
    [InlineData(-1.0, null, 0.0)]
    [InlineData(null, 0.0, 0.0)]
    [InlineData(null, null, 0.5)]
    [InlineData(null, null, -0.1)]
    public void Bad_options_throw(double? maxNorm, double? multiple, double trim) =>
        Assert.Throws<ArgumentException>(() => DeltaAggregator.Aggregate([], new float[1],
            new AggregationOptions { MaxNorm = maxNorm, MedianNormMultiple = multiple, TrimFraction = trim }));
}
