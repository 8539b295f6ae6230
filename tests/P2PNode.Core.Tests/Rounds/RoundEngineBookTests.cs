using P2PNode.Rounds;

namespace P2PNode.Core.Tests.Rounds;

/// <summary>The book half of <see cref="RoundEngine{T}"/> (docs/runtime.md §3 step 7, §5, §7): one contribution per
/// author and round, canonical order, late contributions folded into the next close within
/// AggregationPolicy.MaxLateRounds, restart and adoption. Ported from RoundBookTests (tests/P2PNode.Training.Tests).</summary>
public sealed class RoundEngineBookTests
{
    /// <summary>A contribution as the engine sees it: the item is its entry hash, so results read as hashes.</summary>
    private sealed record C(string Author, ulong Round, int Variant = 0)
    {
        public string Hash => $"{Author}/{Round}/{Variant}";
    }

    private static C A(ulong round, int variant = 0) => new("aa", round, variant);
    private static C B(ulong round, int variant = 0) => new("bb", round, variant);
    private static C Cc(ulong round, int variant = 0) => new("cc", round, variant);
    private static C D(ulong round, int variant = 0) => new("dd", round, variant);

    private static RoundOffer Offer(RoundEngine<string> e, C c) => e.Offer(c.Round, c.Author, c.Hash, c.Hash);

    private static string[] Hashes(params C[] cs) => cs.Select(c => c.Hash).ToArray();

    [Fact]
    public void Offer_classifies_every_case_with_a_typed_reason()
    {
        var e = new RoundEngine<string>();
        Assert.Equal(RoundOffer.Accepted, Offer(e, A(0)));
        Assert.Equal(RoundOffer.Duplicate, Offer(e, A(0)));
        Assert.Equal(RoundOffer.Equivocation, Offer(e, A(0, variant: 9)));
        Assert.Equal(RoundOffer.Accepted, Offer(e, A(1))); // same author, next round: fine
        Assert.Equal(RoundOffer.Accepted, Offer(e, B(2))); // open + 2
        Assert.Equal(RoundOffer.TooFarAhead, Offer(e, Cc(3))); // open + 3
        Assert.Equal(1, e.AuthorsFor(0));
        Assert.Equal(1, e.AuthorsFor(1));
        Assert.Equal(0, e.AuthorsFor(3)); // not kept
        Assert.Equal(RoundOffer.Accepted, Offer(e, Cc(2))); // refused ahead, not remembered: fine once in the window
    }

    [Fact]
    public void Close_returns_the_round_in_canonical_order_then_opens_the_next()
    {
        var e = new RoundEngine<string>();
        foreach (var c in new[] { D(0), B(0), Cc(0), A(0), A(1) }) Assert.Equal(RoundOffer.Accepted, Offer(e, c));
        Assert.Equal(4, e.AuthorsFor(0));
        Assert.Equal(["aa", "bb", "cc", "dd"], e.AuthorSetFor(0).Order(StringComparer.Ordinal));

        var closed = e.Close();
        Assert.Equal(0UL, closed.Round);
        Assert.Equal(Hashes(A(0), B(0), Cc(0), D(0)), closed.Inputs);
        Assert.Equal(0, closed.Late);
        Assert.Equal(1UL, e.OpenRound);
        Assert.Equal(0, e.AuthorsFor(0));
        Assert.Equal(Hashes(A(1)), e.Close().Inputs);
        Assert.Empty(e.Close().Inputs);
        Assert.Equal(3UL, e.OpenRound);
    }

    [Fact]
    public void A_late_contribution_goes_to_the_next_close_before_the_rounds_own_and_never_twice()
    {
        var e = new RoundEngine<string>();
        Offer(e, A(0));
        Assert.Equal(Hashes(A(0)), e.Close().Inputs);
        // Round 0 has closed here: these are late.
        foreach (var c in new[] { D(1), Cc(0), A(1), B(0) }) Assert.Equal(RoundOffer.Accepted, Offer(e, c));
        Assert.Equal(2, e.AuthorsFor(1)); // the late ones do not count towards round 1's quorum
        var closed = e.Close();
        Assert.Equal(1UL, closed.Round);
        Assert.Equal(Hashes(B(0), Cc(0), A(1), D(1)), closed.Inputs);
        Assert.Equal(2, closed.Late);
        // Offered again after being aggregated: a duplicate, not a new input.
        foreach (var c in new[] { A(0), B(0), Cc(0), D(1), A(1) }) Assert.Equal(RoundOffer.Duplicate, Offer(e, c));
        Assert.Empty(e.Close().Inputs);
    }

    [Fact]
    public void A_late_contribution_is_kept_for_MaxLateRounds_only_then_refused_as_too_late()
    {
        var e = new RoundEngine<string>();
        for (var i = 0; i < 4; i++) e.Close();
        Assert.Equal(4UL, e.OpenRound);
        Assert.Equal(RoundOffer.Accepted, Offer(e, A(0))); // 0 + 4 >= 4: still in the window
        Assert.Equal(Hashes(A(0)), e.Close().Inputs);
        Assert.Equal(RoundOffer.TooLate, Offer(e, B(0))); // 0 + 4 < 5
        Assert.Equal(RoundOffer.Accepted, Offer(e, B(1)));
    }

    [Fact]
    public void Equivocation_is_caught_for_a_late_round_and_forgotten_once_the_round_is_out_of_the_window()
    {
        var e = new RoundEngine<string>();
        Offer(e, A(0));
        e.Close();
        Assert.Equal(RoundOffer.Equivocation, Offer(e, A(0, variant: 5)));
        for (var i = 0; i < 3; i++) e.Close();
        Assert.Equal(4UL, e.OpenRound);
        Assert.Equal(RoundOffer.Equivocation, Offer(e, A(0, variant: 6))); // round 0 is still offerable
        e.Close();
        Assert.Equal(RoundOffer.TooLate, Offer(e, A(0, variant: 7))); // no longer: the key is gone, the window refuses
        Assert.Equal(RoundOffer.Duplicate, Offer(e, A(0))); // but an entry once used stays seen
    }

    [Fact]
    public void Reset_sets_the_open_round_and_drops_what_can_no_longer_be_used()
    {
        var e = new RoundEngine<string>();
        Assert.Equal(RoundOffer.Accepted, Offer(e, A(0)));
        Assert.Equal(RoundOffer.Accepted, Offer(e, B(2)));
        e.Reset(5);
        Assert.Equal(5UL, e.OpenRound);
        // Round 0 is more than 4 rounds behind round 5: dropped. Round 2 is kept (late).
        var closed = e.Close();
        Assert.Equal(Hashes(B(2)), closed.Inputs);
        Assert.Equal(1, closed.Late);
        Assert.Equal(6UL, e.OpenRound);
        Assert.Equal(RoundOffer.TooFarAhead, Offer(e, Cc(9)));
        Assert.Equal(RoundOffer.Accepted, Offer(e, Cc(8)));
        Assert.False(e.Incomplete(5)); // a reset keeps the book whole
    }

    [Fact]
    public void A_restart_marks_the_open_round_and_the_one_after_incomplete_until_adopted()
    {
        // Issue 11: after a restart the book for round 7 held nothing the node had received before the kill, and
        // closing it alone gave a round with zero contributions.
        var e = new RoundEngine<string>();
        Assert.False(e.Incomplete(0)); // a fresh node's book is whole
        e.Restart(7);
        Assert.Equal(7UL, e.OpenRound);
        Assert.True(e.Incomplete(7));
        Assert.True(e.Incomplete(8)); // contributions up to the ahead window (2) may have come and gone
        Assert.False(e.Incomplete(9)); // nothing for 9 could have been accepted before the restart
        Assert.Equal(RoundOffer.Accepted, Offer(e, A(7)));
        Assert.Equal(RoundOffer.Accepted, Offer(e, B(8)));
        // Adopting the peers' result of round 7 drops its inputs (the peers used them) and opens round 8.
        Assert.Equal(1, e.Adopt());
        Assert.Equal(8UL, e.OpenRound);
        Assert.Equal(RoundOffer.Duplicate, Offer(e, A(7))); // never used again
        Assert.Equal(1, e.Adopt());
        Assert.Equal(9UL, e.OpenRound);
        Assert.False(e.Incomplete(9));
        Assert.Equal(RoundOffer.Accepted, Offer(e, Cc(9)));
        Assert.Equal(Hashes(Cc(9)), e.Close().Inputs);
    }

    [Fact]
    public void Adopt_drops_late_inputs_too()
    {
        var e = new RoundEngine<string>();
        e.Close();
        Offer(e, A(0)); // late for round 1
        Offer(e, B(1));
        Offer(e, Cc(2));
        Assert.Equal(2, e.Adopt());
        Assert.Equal(Hashes(Cc(2)), e.Close().Inputs);
    }
}
