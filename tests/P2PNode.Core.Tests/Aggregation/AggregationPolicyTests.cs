using P2PNode.Aggregation;

namespace P2PNode.Core.Tests.Aggregation;

public class AggregationPolicyTests
{
    private static DeltaContribution C(byte id, long samples, params float[] delta) =>
        new() { ContributorId = [id], Samples = samples, Delta = delta };

    private static List<(int Id, RejectionReason Reason)> Rejected(AggregationReport report) =>
        report.Rejected.Select(r => (r.ContributorId.Length == 0 ? -1 : (int)r.ContributorId[0], r.Reason)).ToList();

    [Fact]
    public void A_norm_exactly_at_the_bar_is_kept_and_one_just_over_it_is_refused()
    {
        var policy = new AggregationPolicy { NormOutlierMultiple = 2 };
        var output = new float[1];
        // Norms 1, 1, 2: lower median 1, bar 2.
        Assert.Empty(policy.Apply([C(1, 1, 1f), C(2, 1, -1f), C(3, 1, 2f)], output).Rejected);
        var report = policy.Apply([C(1, 1, 1f), C(2, 1, -1f), C(3, 1, MathF.BitIncrement(2f))], output);
        Assert.Equal([(3, RejectionReason.NormOutlier)], Rejected(report));
        Assert.Equal("norm 2 is over 2 × the median 1", report.Rejected[0].Detail);
        Assert.Equal([0f], output); // the mean of the two kept
    }

    [Fact]
    public void A_sign_flipped_delta_opposes_the_round_and_is_refused_whatever_the_input_order()
    {
        var policy = new AggregationPolicy { MinCosineToOthers = 0 };
        List<DeltaContribution> round = [C(1, 1, 1f, 0.2f, 0f), C(2, 1, 0.8f, 0f, 0.3f), C(3, 1, 1f, -0.1f, 0.1f), C(4, 1, -1f, -0.2f, 0f)];
        var report = policy.Apply(round, new float[3]);
        var rejection = Assert.Single(report.Rejected);
        Assert.Equal((4, RejectionReason.Opposed), (rejection.ContributorId[0], rejection.Reason));
        Assert.StartsWith("its direction has cosine -0.", rejection.Detail, StringComparison.Ordinal);
        for (var shift = 1; shift < round.Count; shift++)
        {
            var rotated = round.Skip(shift).Concat(round.Take(shift)).ToList();
            Assert.Equal([(4, RejectionReason.Opposed)], Rejected(policy.Apply(rotated, new float[3])));
        }
        // Off by default; with two contributions there is no "rest of the round" to oppose.
        Assert.Empty(new AggregationPolicy().Apply(round, new float[3]).Rejected);
        Assert.Empty(policy.Apply([round[0], round[3]], new float[3]).Rejected);
    }

    [Fact]
    public void Both_of_a_near_identical_pair_are_refused_as_duplicates_and_distinct_deltas_are_not()
    {
        var policy = new AggregationPolicy { MaxPairCosine = 0.99 };
        // 3 is 1 re-signed with a little noise; 2 and 4 are their own.
        List<DeltaContribution> round = [C(1, 1, 1f, 2f, 0f, 0f), C(2, 1, 0f, 1f, 1f, 0f), C(3, 1, 1.01f, 2f, 0f, 0.01f), C(4, 1, 0f, 0f, 1f, 1f)];
        var report = policy.Apply(round, new float[4]);
        Assert.Equal([(3, RejectionReason.Duplicate), (1, RejectionReason.Duplicate)], Rejected(report));
        Assert.Contains("with another contribution of the round (input 0)", report.Rejected[0].Detail, StringComparison.Ordinal);
        Assert.Equal([2, 4], report.Accepted.Select(a => (int)a.ContributorId[0]).Order());
        // Off: nothing refused; a zero delta has no direction and is nobody's twin.
        Assert.Empty(new AggregationPolicy().Apply(round, new float[4]).Rejected);
        Assert.Empty(policy.Apply([C(1, 1, 0f, 0f, 0f, 0f), C(2, 1, 0f, 0f, 0f, 0f), C(3, 1, 1f, 0f, 0f, 0f)], new float[4]).Rejected);
        Assert.Throws<ArgumentException>(() => new AggregationPolicy { MaxPairCosine = 0 }.Validate());
    }

    [Fact]
    public void A_delta_with_no_direction_is_not_opposed_and_a_cosine_at_the_bar_is_kept()
    {
        var policy = new AggregationPolicy { MinCosineToOthers = 0 };
        // An all-zero delta (a free rider) has no direction: the rule leaves it alone.
        Assert.Empty(policy.Apply([C(1, 1, 1f, 0f), C(2, 1, 1f, 0.1f), C(3, 1, 0f, 0f)], new float[2]).Rejected);
        // Orthogonal to the others' sum: cosine exactly 0, not under the bar.
        Assert.Empty(policy.Apply([C(1, 1, 1f, 0f), C(2, 1, 1f, 0f), C(3, 1, 0f, 1f)], new float[2]).Rejected);
        Assert.Throws<ArgumentException>(() => new AggregationPolicy { MinCosineToOthers = 1.5 }.Validate());
    }

    [Fact]
    public void The_bar_is_the_lower_median_of_an_even_count()
    {
        // Norms 1, 2, 10, 30: lower median 2 (the mean of the middle two would be 6, and 30 would stay).
        var report = new AggregationPolicy { NormOutlierMultiple = 5 }.Apply([C(1, 1, 1f), C(2, 1, 2f), C(3, 1, 10f), C(4, 1, 30f)], new float[1]);
        Assert.Equal([(4, RejectionReason.NormOutlier)], Rejected(report));
    }

    [Fact]
    public void One_contribution_is_never_an_outlier_and_without_a_multiple_there_is_no_rule()
    {
        Assert.Empty(new AggregationPolicy { NormOutlierMultiple = 2 }.Apply([C(1, 1, 1e30f)], new float[1]).Rejected);
        Assert.Empty(new AggregationPolicy().Apply([C(1, 1, 1f), C(2, 1, 1f), C(3, 1, 1e30f)], new float[1]).Rejected);
    }

    [Fact]
    public void Every_reason_comes_from_its_input_outliers_first_last_input_first()
    {
        var report = new AggregationPolicy { NormOutlierMultiple = 10 }.Apply(
        [
            C(1, 1, 1f, 1f),
            C(2, 1, 1000f, 0f),
            C(3, 1, float.NaN, 0f),
            C(4, 1, 1f),
            C(5, 0, 1f, 1f),
            C(6, 1, 1f, 2f),
            C(6, 1, 2f, 1f),
            C(7, 1, 0f, 2000f),
            new DeltaContribution { ContributorId = [], Samples = 1, Delta = new float[2] },
        ], new float[2]);
        Assert.Equal(
        [
            (7, RejectionReason.NormOutlier),
            (2, RejectionReason.NormOutlier),
            (-1, RejectionReason.Refused),
            (3, RejectionReason.Nan),
            (4, RejectionReason.WrongShape),
            (5, RejectionReason.Refused),
            (6, RejectionReason.Refused),
            (6, RejectionReason.Refused),
        ], Rejected(report));
        Assert.Equal([1], report.Accepted.Select(a => (int)a.ContributorId[0]));
    }

    [Fact]
    public void The_outlier_rule_sees_non_finite_deltas_as_the_runtime_always_has()
    {
        // A NaN norm sorts lowest, so it lowers the median (here to 1 and 3 is over 2 × 1), and is never over the bar
        // itself: validation refuses it as nan. An infinite norm is over any bar: norm_outlier, not nan.
        var policy = new AggregationPolicy { NormOutlierMultiple = 2 };
        Assert.Equal([(3, RejectionReason.NormOutlier), (1, RejectionReason.Nan)],
            Rejected(policy.Apply([C(1, 1, float.NaN), C(2, 1, 1f), C(3, 1, 3f)], new float[1])));
        Assert.Equal([(1, RejectionReason.NormOutlier)],
            Rejected(policy.Apply([C(1, 1, float.PositiveInfinity), C(2, 1, 1f), C(3, 1, 1f)], new float[1])));
    }

    [Fact]
    public void An_outlier_is_refused_before_the_rest_are_clipped()
    {
        // Norms 5, 1, 100: lower median 5, bar 50, so 100 goes; the rest are clipped to norm 1 and averaged.
        var output = new float[2];
        var report = new AggregationPolicy { NormOutlierMultiple = 10, Combination = new AggregationOptions { MaxNorm = 1 } }
            .Apply([C(1, 1, 3f, 4f), C(2, 1, 0f, 1f), C(3, 1, 0f, 100f)], output);
        Assert.Equal([(3, RejectionReason.NormOutlier)], Rejected(report));
        Assert.Equal([0.2, 1.0], report.Accepted.Select(a => Math.Round(a.ClipFactor, 15)));
        Assert.Equal([0.3f, 0.9f], output);
    }

    [Fact]
    public void The_combination_trims_what_the_outlier_rule_keeps()
    {
        var output = new float[2];
        var report = new AggregationPolicy { NormOutlierMultiple = 1000, Combination = new AggregationOptions { TrimFraction = 0.2 } }.Apply(
        [
            C(1, 1, 1f, -1000f),
            C(2, 2, 2f, 5f),
            C(3, 1, 1000f, 6f),
            C(4, 1, 4f, 7f),
            C(5, 1, -50f, 9f),
        ], output);
        Assert.Empty(report.Rejected);
        Assert.Equal(1, report.TrimmedPerSide);
        Assert.Equal([9f / 4, 23f / 4], output);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_multiple_that_is_not_finite_and_over_1_throws(double multiple) =>
        Assert.Throws<ArgumentException>(() => new AggregationPolicy { NormOutlierMultiple = multiple }.Apply([], new float[1]));

    [Fact]
    public void Bad_combination_options_throw() =>
        Assert.Throws<ArgumentException>(() => new AggregationPolicy { Combination = new AggregationOptions { TrimFraction = 0.5 } }.Apply([], new float[1]));
}
