using P2PNode.Aggregation;

namespace P2PNode.Core.Tests.Aggregation;

/// <summary>The judging rule (docs/runtime.md §3a) is a pure function of the inputs and the scores: every node holding
/// the same attestations excludes the same set, whatever order they arrived in.</summary>
public sealed class JudgingRuleTests
{
    private static readonly string[] Authors = ["a", "b", "c", "d", "e", "f", "g", "h"];
    private static readonly string[] Sybils = ["x", "y", "z"];
    private static string C(string author) => "c-" + author;
    private static List<JudgedInput> Inputs(int n) => [.. Authors.Take(n).Select(a => new JudgedInput(C(a), a))];

    /// <summary>Every judge scores every other input: <paramref name="change"/>(judge, author) is the loss change.</summary>
    private static List<JudgeScore> Scores(int n, Func<string, string, double> change, double before = 1.0) =>
        [.. from j in Authors.Take(n) from a in Authors.Take(n) where j != a select new JudgeScore(j, C(a), before, before + change(j, a))];

    /// <summary>Honest deltas help or hurt a little, differently for every judge (non-IID data): a fixed pseudo-random
    /// spread in [-0.05, 0.05], skewed up by 0.03 for judge "c" (its data is unlike the others').</summary>
    private static double Honest(string judge, string author) =>
        (((judge[0] * 31 + author[0] * 17) % 11) - 5) / 100.0 + (judge == "c" ? 0.03 : 0);

    [Fact]
    public void A_contribution_that_raises_every_judges_loss_far_beyond_the_rest_is_excluded_and_no_honest_one_is()
    {
        var excluded = JudgingRule.Excluded(Inputs(8), Scores(8, (j, a) => a == "h" ? 5.0 : Honest(j, a)));
        var x = Assert.Single(excluded);
        Assert.Equal(C("h"), x.Contribution);
        Assert.Equal((7, 7), (x.Harmful, x.Votes));
    }

    [Fact]
    public void A_judge_whose_loss_rises_for_everyone_on_its_skewed_data_does_not_exclude_honest_inputs()
    {
        // Judge "c" sees every delta raise its loss by 0.2..0.3: harmful by the absolute rule, not by its own median.
        var excluded = JudgingRule.Excluded(Inputs(6), Scores(6, (j, a) => j == "c" ? 0.2 + Honest(j, a) : Honest(j, a)));
        Assert.Empty(excluded);
    }

    [Fact]
    public void The_same_scores_in_any_order_give_the_same_exclusions()
    {
        var scores = Scores(8, (j, a) => a is "g" or "h" ? 2.0 + Honest(j, a) : Honest(j, a));
        var expected = JudgingRule.Excluded(Inputs(8), scores).Select(x => x.Contribution).ToList();
        Assert.Equal([C("g"), C("h")], expected);
        var random = new Random(7);
        for (var i = 0; i < 20; i++)
        {
            var shuffled = scores.OrderBy(_ => random.Next()).ToList();
            Assert.Equal(expected, JudgingRule.Excluded(Inputs(8), shuffled).Select(x => x.Contribution).ToList());
        }
    }

    [Fact]
    public void Two_lying_judges_of_eight_cannot_exclude_an_honest_input_nor_save_their_own()
    {
        // "g" and "h" attack: their deltas raise the honest judges' loss, and they score every honest delta as a disaster
        // and each other's as excellent.
        double Change(string j, string a) => (j, a) switch
        {
            ("g" or "h", "g" or "h") => -1.0,
            ("g" or "h", _) => 3.0,
            (_, "g" or "h") => 2.0,
            _ => Honest(j, a),
        };
        var excluded = JudgingRule.Excluded(Inputs(8), Scores(8, Change)).Select(x => x.Contribution).ToList();
        Assert.Equal([C("g"), C("h")], excluded);
    }

    [Fact]
    public void Scores_from_outside_the_round_about_unknown_inputs_or_about_the_judges_own_input_do_not_count()
    {
        var inputs = Inputs(4);
        var scores = Scores(4, Honest);
        // A Sybil that contributed nothing this round, a score about a contribution not in the round, self-praise.
        scores.AddRange(from s in Sybils select new JudgeScore(s, C("a"), 1.0, 9.0));
        scores.Add(new JudgeScore("b", "c-unknown", 1.0, 9.0));
        scores.Add(new JudgeScore("a", C("a"), 1.0, 9.0));
        Assert.Empty(JudgingRule.Excluded(inputs, scores));
    }

    [Fact]
    public void A_judge_that_scores_one_input_twice_differently_loses_its_votes()
    {
        var inputs = Inputs(4);
        double Change(string j, string a) => a == "d" ? 3.0 : Honest(j, a);
        var scores = Scores(4, Change);
        Assert.Equal(3, Assert.Single(JudgingRule.Excluded(inputs, scores)).Votes);
        scores.Add(new JudgeScore("a", C("d"), 1.0, 0.5)); // "a" contradicts itself about d
        Assert.Equal(2, Assert.Single(JudgingRule.Excluded(inputs, scores)).Votes);
        scores.Add(new JudgeScore("b", C("d"), 1.0, 0.5)); // so does "b": one vote left, under MinVotes
        Assert.Empty(JudgingRule.Excluded(inputs, scores));
    }

    [Fact]
    public void With_three_contributors_each_judge_has_two_scores_and_abstains()
    {
        Assert.Empty(JudgingRule.Excluded(Inputs(3), Scores(3, (j, a) => a == "c" ? 9.0 : Honest(j, a))));
        Assert.Single(JudgingRule.Excluded(Inputs(4), Scores(4, (j, a) => a == "d" ? 9.0 : Honest(j, a))));
    }

    [Fact]
    public void Identical_honest_scores_are_not_outliers_of_each_other()
    {
        // Every change the same but one a hair higher: the floor (1e-3 x loss before) keeps it in.
        Assert.Empty(JudgingRule.Excluded(Inputs(5), Scores(5, (j, a) => a == "e" ? 0.0105 : 0.01, before: 2.0)));
        Assert.Single(JudgingRule.Excluded(Inputs(5), Scores(5, (j, a) => a == "e" ? 0.05 : 0.01, before: 2.0)));
    }

    [Fact]
    public void More_than_two_thirds_of_the_votes_exclude_and_exactly_two_thirds_do_not()
    {
        // Seven inputs: each scored by six judges. "g" is far over the bar for judges a..d only (4 of 6), "f" for a..e (5 of 6).
        double Change(string j, string a) => (j, a) switch
        {
            ("a" or "b" or "c" or "d", "g") => 4.0,
            ("a" or "b" or "c" or "d" or "e", "f") => 4.0,
            _ => Honest(j, a),
        };
        var x = Assert.Single(JudgingRule.Excluded(Inputs(7), Scores(7, Change)));
        Assert.Equal((C("f"), 5, 6), (x.Contribution, x.Harmful, x.Votes));
    }

    [Fact]
    public void A_score_whose_loss_change_overflows_a_double_is_ignored()
    {
        // Judge d's scores overflow (1e308 − (−1e308) is infinite); b and c still find "a" harmful.
        double Change(string j, string a) => a == "a" ? 5.0 : Honest(j, a);
        var scores = Scores(4, Change);
        var counted = Assert.Single(JudgingRule.Excluded(Inputs(4), scores));
        scores.RemoveAll(x => x.Judge == "d");
        scores.AddRange(from a in Authors.Take(3) select new JudgeScore("d", C(a), -1e308, a == "c" ? 1.0 : 1e308));
        // d has one usable score left (under MinScores): it abstains, and "a" is excluded on the other two judges' word.
        var x = Assert.Single(JudgingRule.Excluded(Inputs(4), scores));
        Assert.Equal((C("a"), 2), (x.Contribution, x.Votes));
        Assert.Equal(3, counted.Votes);
    }

    [Fact]
    public void A_contribution_that_lowers_every_loss_a_lot_is_never_excluded()
    {
        Assert.Empty(JudgingRule.Excluded(Inputs(6), Scores(6, (j, a) => a == "f" ? -3.0 : Honest(j, a))));
    }
}
