using P2PNode.Rounds;

namespace P2PNode.Core.Tests.Rounds;

/// <summary>The close decision of <see cref="RoundEngine{T}"/>, pinned to TrainingNode.ReadyToClose's rules
/// (docs/runtime.md §3 step 6): never before the node trained the round; a quorum of ceil(quorum × active) distinct
/// authors; else the deadline trained + max(min_deadline_ms, deadline_factor × pace), pace = 0.7 pace + 0.3 compute
/// from 5000 ms; live stragglers and a restart's lost round wait up to 4 spans.</summary>
public sealed class RoundEngineCloseTests
{
    private static RoundEngine<string> WithAuthors(ulong round, int authors, RoundRules? rules = null)
    {
        var e = new RoundEngine<string>(rules);
        e.Reset(round);
        for (var i = 0; i < authors; i++) Assert.Equal(RoundOffer.Accepted, e.Offer(round, $"author{i}", $"h{round}/{i}", ""));
        return e;
    }

    [Fact]
    public void A_round_never_closes_before_this_node_trained_it_even_with_a_quorum()
    {
        var e = WithAuthors(0, 3);
        var d = e.Decide(1_000_000, new CloseInputs(3));
        Assert.Equal(CloseReason.NotTrained, d.Reason);
        Assert.False(d.Close);
        Assert.Null(e.TrainedAt(0));
        e.Trained(0, 1_000_000);
        Assert.Equal(1_000_000, e.TrainedAt(0));
        Assert.Equal(CloseReason.Quorum, e.Decide(1_000_000, new CloseInputs(3)).Reason);
    }

    [Fact]
    public void It_closes_on_a_quorum_of_the_active_members_and_not_one_author_before()
    {
        var e = WithAuthors(0, 2);
        e.Trained(0, 0);
        var d = e.Decide(1, new CloseInputs(3));
        Assert.Equal((CloseReason.BeforeDeadline, 2, 3), (d.Reason, d.Have, d.Need));
        Assert.False(d.Close);
        e.Offer(0, "author2", "h0/2", "");
        d = e.Decide(1, new CloseInputs(3));
        Assert.Equal((CloseReason.Quorum, 3, 3), (d.Reason, d.Have, d.Need));
        Assert.True(d.Close);
        Assert.Equal(CloseReason.BeforeDeadline, e.Decide(1, new CloseInputs(4)).Reason); // a fourth active member
    }

    [Theory]
    [InlineData(1.0, 3, 3)]
    [InlineData(0.5, 3, 2)] // ceil(1.5)
    [InlineData(0.5, 4, 2)]
    [InlineData(0.1, 1, 1)]
    [InlineData(0.28, 25, 7)] // 0.28 × 25 = 7.000000000000001 in doubles: the 1e-9 slack makes it 7, not 8
    public void The_quorum_is_the_ceiling_of_quorum_times_active(double quorum, int active, int need)
    {
        var rules = new RoundRules { Quorum = quorum };
        Assert.Equal(need, rules.Need(active));
        var e = WithAuthors(0, need - 1, rules);
        e.Trained(0, 0);
        Assert.Equal(CloseReason.BeforeDeadline, e.Decide(0, new CloseInputs(active)).Reason);
        e.Offer(0, "last", "last", "");
        Assert.Equal(CloseReason.Quorum, e.Decide(0, new CloseInputs(active)).Reason);
    }

    [Fact]
    public void Late_contributions_do_not_count_towards_the_open_rounds_quorum()
    {
        var e = new RoundEngine<string>();
        e.Close();
        e.Offer(0, "b", "b0", ""); // late for round 1
        e.Offer(1, "a", "a1", "");
        e.Trained(1, 0);
        var d = e.Decide(0, new CloseInputs(2));
        Assert.Equal((CloseReason.BeforeDeadline, 1), (d.Reason, d.Have));
    }

    [Fact]
    public void Short_of_a_quorum_it_closes_at_the_deadline_twice_the_initial_pace()
    {
        // Defaults: pace 5000 ms, deadline_factor 2, min_deadline_ms 5000: span 10 000 ms after training.
        var e = WithAuthors(0, 1);
        Assert.Equal(10_000, e.SpanMs);
        e.Trained(0, 1_000);
        var d = e.Decide(10_999, new CloseInputs(3));
        Assert.Equal((CloseReason.BeforeDeadline, 11_000.0), (d.Reason, d.DeadlineMs));
        d = e.Decide(11_000, new CloseInputs(3));
        Assert.Equal(CloseReason.Deadline, d.Reason);
        Assert.True(d.Close);
        Assert.Equal((1, 3), (d.Have, d.Need));
    }

    [Fact]
    public void The_deadline_follows_the_measured_pace_and_never_drops_below_min_deadline()
    {
        var e = WithAuthors(0, 0);
        e.RecordCompute(1.0); // 0.7 × 5000 + 0.3 × 1000
        Assert.Equal(3800, e.ComputeMs, 9);
        Assert.Equal(7600, e.SpanMs, 9);
        e.Trained(0, 0);
        Assert.Equal(CloseReason.BeforeDeadline, e.Decide(7599, new CloseInputs(2)).Reason);
        Assert.Equal(CloseReason.Deadline, e.Decide(7600, new CloseInputs(2)).Reason);

        var floored = WithAuthors(0, 0, new RoundRules { MinDeadlineMs = 9000 });
        floored.RecordCompute(1.0);
        Assert.Equal(9000, floored.SpanMs);
        var factor = WithAuthors(0, 0, new RoundRules { DeadlineFactor = 3 });
        Assert.Equal(15_000, factor.SpanMs);
    }

    [Fact]
    public void The_active_window_is_four_times_the_pace_but_at_least_15_seconds()
    {
        var e = new RoundEngine<string>();
        Assert.Equal(20_000, e.ActiveWindowMs);
        e.RecordCompute(1.0); // 3800 ms: 15 200
        Assert.Equal(15_200, e.ActiveWindowMs);
        e.RecordCompute(0.1);
        Assert.Equal(15_000, e.ActiveWindowMs);
    }

    [Fact]
    public void Past_the_deadline_a_live_straggler_is_waited_for_up_to_four_spans_and_counted_once()
    {
        var e = WithAuthors(0, 1);
        e.Trained(0, 0); // span 10 000
        var d = e.Decide(10_000, new CloseInputs(3, Stragglers: 1));
        Assert.Equal((CloseReason.WaitingForStragglers, true), (d.Reason, d.FirstStragglerWait));
        Assert.False(d.Close);
        d = e.Decide(39_999, new CloseInputs(3, Stragglers: 1));
        Assert.Equal((CloseReason.WaitingForStragglers, false), (d.Reason, d.FirstStragglerWait));
        Assert.Equal(CloseReason.Deadline, e.Decide(40_000, new CloseInputs(3, Stragglers: 1)).Reason);
        Assert.Equal(CloseReason.Deadline, e.Decide(10_000, new CloseInputs(3, Stragglers: 0)).Reason); // none: at the deadline
        Assert.Equal(CloseReason.BeforeDeadline, e.Decide(9_999, new CloseInputs(3, Stragglers: 1)).Reason);

        e.Close();
        e.Trained(1, 50_000);
        Assert.True(e.Decide(60_000, new CloseInputs(3, Stragglers: 1)).FirstStragglerWait); // a new round counts again
    }

    [Fact]
    public void The_wake_time_is_when_the_decision_changes_by_time_alone()
    {
        // The node's round thread sleeps until WakeMs or an event: one millisecond before it the decision must be the
        // same, at it another one; undecided by time (not trained) or closing now, it is infinite.
        var e = WithAuthors(0, 1);
        Assert.Equal(double.PositiveInfinity, e.Decide(0, new CloseInputs(3)).WakeMs);
        e.Trained(0, 1_000); // span 10 000: deadline 11 000, stragglers' longest wait 41 000
        var inputs = new CloseInputs(3, Stragglers: 1);
        foreach (var (now, reason, wake) in new[] { (5_000L, CloseReason.BeforeDeadline, 11_000.0), (11_000L, CloseReason.WaitingForStragglers, 41_000.0) })
        {
            var d = e.Decide(now, inputs);
            Assert.Equal((reason, wake), (d.Reason, d.WakeMs));
            Assert.Equal(reason, e.Decide((long)wake - 1, inputs).Reason);
            Assert.NotEqual(reason, e.Decide((long)wake, inputs).Reason);
        }
        Assert.Equal(double.PositiveInfinity, e.Decide(41_000, inputs).WakeMs); // closes on the deadline now
        Assert.Equal(double.PositiveInfinity, WithTrained(3).Decide(0, new CloseInputs(3)).WakeMs); // a quorum: now

        var restarted = new RoundEngine<string>();
        restarted.Restart(7);
        restarted.Offer(7, "a", "a7", "");
        restarted.Trained(7, 0);
        var awaiting = restarted.Decide(0, new CloseInputs(1, PeerOnRound: true));
        Assert.Equal((CloseReason.AwaitingPeersResult, 40_000.0), (awaiting.Reason, awaiting.WakeMs));
        Assert.Equal(CloseReason.Quorum, restarted.Decide((long)awaiting.WakeMs, new CloseInputs(1, PeerOnRound: true)).Reason);
    }

    private static RoundEngine<string> WithTrained(int authors)
    {
        var e = WithAuthors(0, authors);
        e.Trained(0, 0);
        return e;
    }

    [Fact]
    public void A_round_a_restart_may_have_lost_waits_for_the_peers_result_even_with_a_quorum()
    {
        var e = new RoundEngine<string>();
        e.Restart(7);
        e.Offer(7, "a", "a7", "");
        e.Trained(7, 0); // span 10 000
        var d = e.Decide(39_999, new CloseInputs(1, PeerOnRound: true));
        Assert.Equal((CloseReason.AwaitingPeersResult, 1, 1), (d.Reason, d.Have, d.Need));
        Assert.Equal(CloseReason.Quorum, e.Decide(40_000, new CloseInputs(1, PeerOnRound: true)).Reason); // four spans: on its own book
        Assert.Equal(CloseReason.Quorum, e.Decide(0, new CloseInputs(1, PeerOnRound: false)).Reason); // no live peer on it

        // A whole round (not lost in a restart) ignores PeerOnRound.
        Assert.Equal(1, e.Adopt());
        Assert.Equal(0, e.Adopt()); // round 8: nothing held
        Assert.False(e.Incomplete(9));
        e.Offer(9, "a", "a9", "");
        e.Trained(9, 0);
        Assert.Equal(CloseReason.Quorum, e.Decide(0, new CloseInputs(1, PeerOnRound: true)).Reason);
    }

    [Fact]
    public void The_advance_carries_a_trained_mark_made_early_and_forgets_marks_out_of_the_late_window()
    {
        var e = new RoundEngine<string>();
        e.Trained(0, 0);
        e.Trained(1, 500); // the training thread runs a round ahead of the round thread
        e.Close();
        Assert.Equal(10_500.0, e.Decide(0, new CloseInputs(2)).DeadlineMs);
        Assert.Equal(CloseReason.NotTrained, WithAuthors(2, 0).Decide(0, new CloseInputs(1)).Reason);
        for (var i = 0; i < 3; i++) e.Close();
        Assert.Equal(4UL, e.OpenRound);
        Assert.Equal(0, e.TrainedAt(0)); // round 0 may still get late contributions
        e.Close();
        Assert.Null(e.TrainedAt(0));
        Assert.Equal(500, e.TrainedAt(1));
    }

    [Theory]
    [InlineData(0.0, 2.0, 5000)]
    [InlineData(1.5, 2.0, 5000)]
    [InlineData(double.NaN, 2.0, 5000)]
    [InlineData(1.0, 0.0, 5000)]
    [InlineData(1.0, double.PositiveInfinity, 5000)]
    [InlineData(1.0, 2.0, -1)]
    public void Out_of_range_rules_are_refused(double quorum, double factor, int minDeadline)
    {
        var rules = new RoundRules { Quorum = quorum, DeadlineFactor = factor, MinDeadlineMs = minDeadline };
        Assert.Throws<ArgumentException>(() => new RoundEngine<string>(rules));
    }
}
