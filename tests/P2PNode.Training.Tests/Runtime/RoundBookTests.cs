using P2PNode.Ledger.Entries;
using P2PNode.Rounds;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>docs/runtime.md §2, §3 step 7 and §5: one contribution per author and round, canonical order, late
/// contributions folded into the next close, nothing returned twice.</summary>
public sealed class RoundBookTests : IDisposable
{
    private readonly RunPeer[] _peers = Enumerable.Range(0, 4).Select(_ => new RunPeer()).ToArray();
    private readonly byte[] _run = Enumerable.Repeat((byte)0xAB, 32).ToArray();
    private readonly byte[] _base = new byte[32];

    public void Dispose()
    {
        foreach (var p in _peers) p.Dispose();
    }

    private ReceivedContribution C(int peer, ulong round, byte extra = 0, byte[]? run = null)
    {
        byte[] delta = [1, 2, 3, extra];
        var e = _peers[peer].Contribute(run ?? _run, round, _base, delta);
        return new ReceivedContribution(e, (ContributionBody)e.Entry.Body, delta);
    }

    private static string[] Hashes(IEnumerable<ReceivedContribution> cs) => cs.Select(c => c.Hash).ToArray();

    // Closed inputs come in the order of the authors' public keys (not of their peer id text): the order they are summed in.
    private static string KeyOrder(ReceivedContribution c) => Convert.ToHexStringLower(c.Entry.Author);

    [Fact]
    public void OfferClassifiesEveryCase()
    {
        var book = new RoundBook(_run);
        var a0 = C(0, 0);
        Assert.Equal(OfferResult.Accepted, book.Offer(a0));
        Assert.Equal(OfferResult.Duplicate, book.Offer(a0));
        Assert.Equal(OfferResult.Duplicate, book.Offer(a0 with { })); // same entry, another object
        Assert.Equal(OfferResult.Equivocation, book.Offer(C(0, 0, extra: 9)));
        Assert.Equal(OfferResult.WrongRun, book.Offer(C(1, 0, run: Enumerable.Repeat((byte)0xCD, 32).ToArray())));
        Assert.Equal(OfferResult.Accepted, book.Offer(C(0, 1))); // same author, next round: fine
        Assert.Equal(OfferResult.Accepted, book.Offer(C(1, 2))); // open + 2
        Assert.Equal(OfferResult.OutOfWindow, book.Offer(C(2, 3))); // open + 3
        Assert.Equal(1, book.AuthorsFor(0));
        Assert.Equal(1, book.AuthorsFor(1));
        Assert.Equal(0, book.AuthorsFor(3));
    }

    [Fact]
    public void CloseReturnsTheRoundInCanonicalOrderThenOpensTheNext()
    {
        var book = new RoundBook(_run);
        var inRound0 = new[] { C(3, 0), C(1, 0), C(2, 0), C(0, 0) };
        var next = C(0, 1);
        foreach (var c in inRound0.Append(next)) Assert.Equal(OfferResult.Accepted, book.Offer(c));
        Assert.Equal(4, book.AuthorsFor(0));

        var closed = book.Close();
        var expected = inRound0.OrderBy(KeyOrder, StringComparer.Ordinal).ToArray();
        Assert.Equal(Hashes(expected), Hashes(closed));
        Assert.Equal(1UL, book.OpenRound);
        Assert.Equal(0, book.AuthorsFor(0));
        Assert.Equal(Hashes([next]), Hashes(book.Close()));
        Assert.Empty(book.Close());
        Assert.Equal(3UL, book.OpenRound);
    }

    [Fact]
    public void LateContributionsAreFoldedIntoTheNextCloseBeforeTheRoundsOwnAndNeverTwice()
    {
        var book = new RoundBook(_run);
        var a0 = C(0, 0);
        book.Offer(a0);
        Assert.Equal(Hashes([a0]), Hashes(book.Close()));
        // Round 0 has closed here: these are late.
        var lateB = C(1, 0);
        var lateC = C(2, 0);
        var d1 = C(3, 1);
        var a1 = C(0, 1);
        foreach (var c in new[] { d1, lateC, a1, lateB }) Assert.Equal(OfferResult.Accepted, book.Offer(c));
        var closed = book.Close();
        var expected = new[] { lateB, lateC }.OrderBy(KeyOrder, StringComparer.Ordinal)
            .Concat(new[] { a1, d1 }.OrderBy(KeyOrder, StringComparer.Ordinal));
        Assert.Equal(Hashes(expected), Hashes(closed));
        // Offered again after being aggregated: a duplicate, not a new input.
        foreach (var c in new[] { a0, lateB, lateC, d1, a1 }) Assert.Equal(OfferResult.Duplicate, book.Offer(c));
        Assert.Empty(book.Close());
    }

    [Fact]
    public void ALateContributionIsKeptForFourRoundsOnly()
    {
        var book = new RoundBook(_run);
        for (var i = 0; i < 4; i++) book.Close();
        Assert.Equal(4UL, book.OpenRound);
        var late = C(0, 0); // 0 + 4 >= 4: still in the window
        Assert.Equal(OfferResult.Accepted, book.Offer(late));
        Assert.Equal(Hashes([late]), Hashes(book.Close()));
        Assert.Equal(OfferResult.OutOfWindow, book.Offer(C(1, 0))); // 0 + 4 < 5
        Assert.Equal(OfferResult.Accepted, book.Offer(C(1, 1)));
    }

    [Fact]
    public void EquivocationIsCaughtForALateRoundToo()
    {
        var book = new RoundBook(_run);
        book.Offer(C(0, 0));
        book.Close();
        Assert.Equal(OfferResult.Equivocation, book.Offer(C(0, 0, extra: 5)));
        book.Close();
        Assert.Equal(OfferResult.Equivocation, book.Offer(C(0, 0, extra: 6)));
    }

    [Fact]
    public void ResetSetsTheOpenRoundAndDropsWhatCanNoLongerBeUsed()
    {
        var book = new RoundBook(_run);
        var old = C(0, 0);
        var recent = C(1, 2);
        Assert.Equal(OfferResult.Accepted, book.Offer(old));
        Assert.Equal(OfferResult.Accepted, book.Offer(recent));
        book.Reset(5);
        Assert.Equal(5UL, book.OpenRound);
        // Round 0 is more than 4 rounds behind round 5: dropped. Round 2 is kept (late).
        Assert.Equal(Hashes([recent]), Hashes(book.Close()));
        Assert.Equal(6UL, book.OpenRound);
        Assert.Equal(OfferResult.OutOfWindow, book.Offer(C(2, 9)));
        Assert.Equal(OfferResult.Accepted, book.Offer(C(2, 8)));
    }

    [Fact]
    public void ARestartMarksTheOpenRoundAndTheOneAfterIncompleteUntilAdopted()
    {
        // Issue 11: after a restart the book for round 7 held nothing the node had received before the kill, and
        // closing it alone gave a round with zero contributions.
        var book = new RoundBook(_run);
        Assert.False(book.Incomplete(0)); // a fresh node's book is whole
        book.Restart(7);
        Assert.Equal(7UL, book.OpenRound);
        Assert.True(book.Incomplete(7));
        Assert.True(book.Incomplete(8)); // contributions up to the ahead window (2) may have come and gone
        Assert.False(book.Incomplete(9)); // nothing for 9 could have been accepted before the restart
        var seven = C(0, 7);
        Assert.Equal(OfferResult.Accepted, book.Offer(seven));
        Assert.Equal(OfferResult.Accepted, book.Offer(C(1, 8)));
        // Adopting the peers' result of round 7 drops its inputs (the peers used them) and opens round 8.
        Assert.Equal(1, book.Adopt());
        Assert.Equal(8UL, book.OpenRound);
        Assert.Equal(OfferResult.Duplicate, book.Offer(seven)); // never used again
        Assert.Equal(1, book.Adopt());
        Assert.Equal(9UL, book.OpenRound);
        Assert.False(book.Incomplete(9));
        Assert.Equal(OfferResult.Accepted, book.Offer(C(2, 9)));
        Assert.Equal([9UL], book.Close().Select(c => c.Round).ToArray());
    }

    [Fact]
    public void AResetKeepsTheBookWhole()
    {
        var book = new RoundBook(_run);
        book.Reset(5);
        Assert.False(book.Incomplete(5));
    }

    [Fact]
    public void TheRunSpecsCloseRulesReachTheEnginesDecisionAndPace()
    {
        // TrainingNode builds its book with RunSpec.CloseRules(): quorum 0.5 of 4 active needs 2, min_deadline_ms 9000
        // floors the span once the pace drops (1 s rounds: 0.7 × 5000 + 0.3 × 1000 = 3800 ms, × 2 = 7600 ms).
        var spec = new RunSpec { Quorum = 0.5, DeadlineFactor = 2.0, MinDeadlineMs = 9000 };
        var book = new RoundBook(_run, spec.CloseRules());
        Assert.Equal(OfferResult.Accepted, book.Offer(C(0, 0)));
        Assert.Equal(CloseReason.NotTrained, book.Decide(0, new CloseInputs(4)).Reason);
        book.Trained(0, 100);
        Assert.Equal(100, book.TrainedAt(0));
        book.RecordCompute(1.0);
        Assert.Equal(3800, book.ComputeMs, 9);
        Assert.Equal(15_200, book.ActiveWindowMs);
        var d = book.Decide(9099, new CloseInputs(4));
        Assert.Equal((CloseReason.BeforeDeadline, 1, 2, 9100.0), (d.Reason, d.Have, d.Need, d.DeadlineMs));
        Assert.Equal(CloseReason.Deadline, book.Decide(9100, new CloseInputs(4)).Reason);
        Assert.Equal(OfferResult.Accepted, book.Offer(C(1, 0)));
        Assert.Equal(CloseReason.Quorum, book.Decide(0, new CloseInputs(4)).Reason);
    }
}
