using P2PNode.TestSupport;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Peers.Scoring;
using P2PNode.Wire.Gossip;

namespace P2PNode.Core.Tests.Scoring;

/// <summary>Spot checks on graylisted peers' gossip: forgers get banned, honest graylisted peers recover.</summary>
public sealed class GraylistedGossipCheckTests
{
    private static readonly PeerId Peer = PeerId.FromPublicKey(Enumerable.Repeat((byte)9, 32).ToArray());
    private static readonly NodeIdentity Origin = NodeIdentity.Generate();
    private readonly ManualClock _clock = new();
    private readonly NodeMetrics _metrics = new();

    private (PeerScorer Scorer, GraylistedGossipCheck Check) Make(ScoringOptions? o = null)
    {
        var scorer = new PeerScorer(o ?? new ScoringOptions(), _clock, _metrics);
        return (scorer, new GraylistedGossipCheck(scorer, _metrics));
    }

    private ulong NowMs => (ulong)_clock.GetUtcNow().ToUnixTimeMilliseconds();

    private GossipMessage Honest(int n) => GossipSignature.Sign(Origin, "t", (ulong)n + 1, NowMs, [(byte)n]);

    // Someone else's key as origin with a random signature: what defence_peer.py sends.
    private GossipMessage Forged(int n) => Honest(n) with { Signature = System.Security.Cryptography.RandomNumberGenerator.GetBytes(64) };

    [Fact]
    public void With_the_defaults_a_forger_that_keeps_forging_is_banned_at_the_second_check()
    {
        var (scorer, check) = Make();
        Assert.Equal(PeerStanding.Graylisted, scorer.Report(Peer, Offence.ForgedSignature)); // the overlay's verdict: -50
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.True(check.OnDropped(Peer, Forged(1)));
        // -50 decayed a little before the second -50: just above the ban threshold, still graylisted.
        Assert.Equal(PeerStanding.Graylisted, scorer.StandingOf(Peer));
        Assert.InRange(scorer.ScoreOf(Peer), -100, -99.9);
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.False(check.OnDropped(Peer, Forged(2))); // within the interval: dropped unchecked
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.True(check.OnDropped(Peer, Forged(3)));
        Assert.Equal(PeerStanding.Banned, scorer.StandingOf(Peer));
        Assert.Equal((2, 2, 1), (_metrics.Get("graylisted_gossip_checked"), _metrics.Get("graylisted_gossip_forged"), _metrics.Get("peers_banned")));
    }

    [Fact]
    public void At_most_one_message_per_peer_and_interval_is_checked()
    {
        var (scorer, check) = Make(new ScoringOptions { BanThreshold = -1000 });
        scorer.Report(Peer, Offence.ForgedSignature);
        Assert.True(check.OnDropped(Peer, Forged(1)));
        for (var i = 0; i < 50; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            Assert.False(check.OnDropped(Peer, Forged(i + 2)));
        }
        Assert.Equal(-100, scorer.ScoreOf(Peer), 0);
        _clock.Advance(TimeSpan.FromMilliseconds(500)); // 1 s since the first check
        Assert.True(check.OnDropped(Peer, Forged(99)));
        Assert.Equal(2, _metrics.Get("graylisted_gossip_forged"));
        Assert.Equal(-150, scorer.ScoreOf(Peer), 0);
    }

    [Fact]
    public void A_forger_sending_a_message_a_second_is_banned_within_seconds_of_being_graylisted()
    {
        var (scorer, check) = Make(new ScoringOptions { ForgedSignaturePenalty = 20 });
        scorer.Report(Peer, Offence.ForgedSignature);
        scorer.Report(Peer, Offence.ForgedSignature); // -40: graylisted
        var seconds = 0;
        while (scorer.StandingOf(Peer) != PeerStanding.Banned)
        {
            Assert.True(++seconds < 10, "still not banned after 10 forgeries");
            _clock.Advance(TimeSpan.FromSeconds(1));
            check.OnDropped(Peer, Forged(seconds));
        }
        // -60, -80, -100 without decay; the 10-minute half-life lifts the third just above -100, so a fourth.
        Assert.Equal(4, seconds);
    }

    [Fact]
    public void An_honest_graylisted_peer_that_keeps_relaying_loses_nothing_and_leaves_the_graylist()
    {
        var (scorer, check) = Make();
        for (var i = 0; i < 5; i++) scorer.Report(Peer, Offence.InvalidMessage); // -50: graylisted for a bug, say
        Assert.Equal(PeerStanding.Graylisted, scorer.StandingOf(Peer));
        // Ten messages a second for five minutes, every one checked would verify; the score only decays.
        for (var i = 0; i < 3000; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            if (scorer.IsGraylisted(Peer)) check.OnDropped(Peer, Honest(i));
        }
        Assert.Equal(PeerStanding.Good, scorer.StandingOf(Peer));
        Assert.True(scorer.ScoreOf(Peer) > -40);
        Assert.Equal(0, _metrics.Get("graylisted_gossip_forged"));
        Assert.InRange(_metrics.Get("graylisted_gossip_checked"), 150, 200); // about one a second until it recovered (~193 s)
    }

    [Fact]
    public void Interval_zero_turns_the_checks_off()
    {
        var (scorer, check) = Make(new ScoringOptions { GraylistedCheckInterval = TimeSpan.Zero });
        scorer.Report(Peer, Offence.ForgedSignature);
        Assert.False(check.OnDropped(Peer, Forged(1)));
        Assert.Equal(PeerStanding.Graylisted, scorer.StandingOf(Peer));
        Assert.Equal(0, _metrics.Get("graylisted_gossip_checked"));
    }
}
