using P2PNode.TestSupport;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Peers.Scoring;
using P2PNode.Wire;

namespace P2PNode.Core.Tests.Scoring;

public sealed class PeerScorerTests
{
    private static readonly PeerId Peer = PeerId.FromPublicKey(Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly ManualClock _clock = new();
    private readonly NodeMetrics _metrics = new();

    private PeerScorer Scorer(ScoringOptions? o = null) => new(o ?? new ScoringOptions(), _clock, _metrics);

    [Fact]
    public void OffencesLowerTheScoreWhichHalvesEveryHalfLife()
    {
        var scorer = Scorer(new ScoringOptions { HalfLife = TimeSpan.FromMinutes(10) });
        scorer.Report(Peer, Offence.BadChunk);
        scorer.Report(Peer, Offence.InvalidMessage);
        Assert.Equal(-35, scorer.ScoreOf(Peer), 9);
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(-17.5, scorer.ScoreOf(Peer), 9);
        _clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(-4.375, scorer.ScoreOf(Peer), 9);
        scorer.Report(Peer, Offence.RateViolation);
        Assert.Equal(-9.375, scorer.ScoreOf(Peer), 9);
        Assert.Equal(1, _metrics.Get("offence_bad_chunk"));
        Assert.Equal(1, _metrics.Get("offence_rate_violation"));
    }

    [Fact]
    public void GraylistThenBanAtTheThresholdsAndTheBanExpires()
    {
        var scorer = Scorer();
        var banned = new List<DateTimeOffset>();
        scorer.Banned += (p, until) => banned.Add(until);
        Assert.Equal(PeerStanding.Good, scorer.Report(Peer, Offence.BadChunk));        // -25
        Assert.Equal(PeerStanding.Graylisted, scorer.Report(Peer, Offence.BrokenPromise)); // -40
        Assert.True(scorer.IsGraylisted(Peer));
        Assert.Null(scorer.Admission(Peer, null));
        Assert.Equal(PeerStanding.Graylisted, scorer.Report(Peer, Offence.ForgedSignature)); // -90
        Assert.Equal(PeerStanding.Banned, scorer.Report(Peer, Offence.InvalidMessage));     // -100
        var until = Assert.Single(banned);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(1), until);
        Assert.Equal(DisconnectReason.Banned, scorer.Admission(Peer, null)!.Reason);
        Assert.NotNull(scorer.AdmitTransport(Peer));
        scorer.Report(Peer, Offence.InvalidMessage); // still banned: no second ban event
        Assert.Single(banned);
        _clock.Advance(TimeSpan.FromHours(1));
        // After an hour (6 half-lives) -110 has decayed to about -1.7: good standing again.
        Assert.Equal(PeerStanding.Good, scorer.StandingOf(Peer));
        Assert.Null(scorer.Admission(Peer, null));
        Assert.Equal(1, _metrics.Get("peers_banned"));
    }

    [Fact]
    public void ANodeNeverScoresItself()
    {
        // Issue 11: a node refused its own contribution after a repair, scored it and banned itself.
        var self = PeerId.FromPublicKey(Enumerable.Repeat((byte)9, 32).ToArray());
        var scorer = new PeerScorer(new ScoringOptions(), _clock, _metrics, self);
        var events = 0;
        scorer.Graylisted += (_, _, _) => events++;
        scorer.Banned += (_, _) => events++;
        for (var i = 0; i < 20; i++) Assert.Equal(PeerStanding.Good, scorer.Report(self, Offence.ForgedSignature, "refused contribution: wrong_base"));
        Assert.Equal(0, scorer.ScoreOf(self));
        Assert.Null(scorer.Admission(self, null));
        Assert.Equal(0, events);
        Assert.Equal(20, _metrics.Get("offence_self_ignored"));
        Assert.Equal(0, _metrics.Get("offence_forged_signature"));
        // Another peer with the same reports is banned as before: the exemption is for the node's own id only.
        for (var i = 0; i < 2; i++) scorer.Report(Peer, Offence.ForgedSignature);
        Assert.True(scorer.IsBanned(Peer));
    }

    [Fact]
    public void MalformedFramesGraylistAtTheFifthAndBanAtTheEleventhNotTheTenth()
    {
        // docs/overlay.md 9.1 with the default penalties and half-life, frames 50 ms apart: entering the graylist
        // is counted and raised whatever reported the offence (here the session layer's malformed frames).
        var scorer = Scorer();
        var graylisted = new List<(int Frame, string What)>();
        var banned = new List<int>();
        var frame = 0;
        scorer.Graylisted += (_, what, _) => graylisted.Add((frame, what));
        scorer.Banned += (_, _) => banned.Add(frame);
        for (frame = 1; frame <= 11; frame++)
        {
            scorer.Report(Peer, Offence.InvalidMessage, "a malformed frame");
            if (frame == 10) Assert.InRange(scorer.ScoreOf(Peer), -99.999, -99.9); // decayed a little: not banned yet
            _clock.Advance(TimeSpan.FromMilliseconds(50));
        }
        Assert.Equal([(5, "a malformed frame")], graylisted);
        Assert.Equal([11], banned);
        Assert.Equal(1, _metrics.Get("peers_graylisted"));
        Assert.Equal(1, _metrics.Get("peers_banned"));
    }

    [Fact]
    public void LeavingAndReenteringTheGraylistCountsAgainButGoingStraightToABanDoesNot()
    {
        var scorer = Scorer(new ScoringOptions { HalfLife = TimeSpan.FromSeconds(1) });
        var entries = 0;
        scorer.Graylisted += (_, what, _) => { entries++; Assert.Equal("ForgedSignature", what); };
        scorer.Report(Peer, Offence.ForgedSignature);
        _clock.Advance(TimeSpan.FromSeconds(2)); // -50 decays to -12.5: good standing again
        scorer.Report(Peer, Offence.ForgedSignature);
        Assert.Equal(2, entries);
        var other = PeerId.FromPublicKey(Enumerable.Repeat((byte)8, 32).ToArray());
        var strict = Scorer(new ScoringOptions { ForgedSignaturePenalty = 100 });
        strict.Graylisted += (_, _, _) => entries++;
        Assert.Equal(PeerStanding.Banned, strict.Report(other, Offence.ForgedSignature));
        Assert.Equal(2, entries);
        Assert.Equal(2, _metrics.Get("peers_graylisted"));
    }

    [Fact]
    public void AnHonestPeerWithOccasionalTimeoutsNeverReachesTheGraylist()
    {
        var scorer = Scorer();
        for (var i = 0; i < 100; i++)
        {
            scorer.Report(Peer, Offence.BrokenPromise);
            _clock.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(PeerStanding.Good, scorer.StandingOf(Peer));
        }
        // Steady state of -15 every 5 min with a 10 min half-life: -15 / (1 - 2^-0.5), about -51 right after an
        // offence, -36 five minutes later; the check above ran after the decay.
        Assert.InRange(scorer.ScoreOf(Peer), -37, -35);
    }

    [Fact]
    public void TokenBucketAllowsTheBurstThenTheRate()
    {
        var t0 = _clock.GetUtcNow();
        var bucket = new TokenBucket(ratePerSecond: 10, capacity: 5, t0);
        for (var i = 0; i < 5; i++) Assert.True(bucket.TryTake(1, t0));
        Assert.False(bucket.TryTake(1, t0));
        Assert.True(bucket.TryTake(1, t0 + TimeSpan.FromMilliseconds(100)));
        Assert.False(bucket.TryTake(1, t0 + TimeSpan.FromMilliseconds(100)));
        Assert.Equal(5, bucket.Available(t0 + TimeSpan.FromSeconds(60)));
        Assert.False(bucket.TryTake(6, t0 + TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void RateLimiterDropsOverTheAllowanceAndReportsAtMostOncePerInterval()
    {
        var o = new ScoringOptions { FramesPerSecond = 10, FrameBurst = 10, BytesPerSecond = 1000, ByteBurst = 1000 };
        var scorer = Scorer(o);
        var limiter = new PeerRateLimiter(scorer, _metrics);
        var allowed = Enumerable.Range(0, 50).Count(_ => limiter.Allow(Peer, 10));
        Assert.Equal(10, allowed);
        Assert.Equal(40, _metrics.Get("rate_limited_frames"));
        Assert.Equal(-5, scorer.ScoreOf(Peer), 9);
        _clock.Advance(TimeSpan.FromSeconds(1)); // refills 10 frames; the byte bucket refills 1000
        Assert.False(limiter.Allow(Peer, 1001));   // over the byte burst even with tokens for frames
        Assert.Equal(-5 * Math.Pow(0.5, 1.0 / 600) - 5, scorer.ScoreOf(Peer), 9);
        Assert.True(limiter.Allow(Peer, 1000));
    }
}
