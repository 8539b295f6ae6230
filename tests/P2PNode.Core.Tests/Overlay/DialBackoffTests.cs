using P2PNode.Overlay;
using P2PNode.Peers;
using P2PNode.Wire;
using P2PNode.Wire.Gossip;
using static P2PNode.Core.Tests.Overlay.OverlayHarness;

namespace P2PNode.Core.Tests.Overlay;

// Issue 11: a node whose only bootstrap contact had banned it redialled that contact three times a second.
public sealed class DialBackoffTests
{
    /// <summary>Runs the timer in 100 ms steps from <paramref name="from"/> until the node dials; returns when.</summary>
    private static long NextDial(OverlayHarness h, long from, long limit = 120_000)
    {
        h.Sink.Clear();
        for (var now = from; now <= from + limit; now += 100)
        {
            h.Node.OnTimer(now);
            if (h.Sink.Connects.Count > 0) return now;
        }
        return -1;
    }

    [Fact]
    public void AFailingJoinContactIsRedialledAfterHalfASecondDoublingUpTo30Seconds()
    {
        using var h = new OverlayHarness();
        var contact = h.Key(1).PeerId;
        h.Node.Start([new PeerAddress(contact, AddressOf(1))], T0);
        Assert.Single(h.Sink.Connects);
        var now = T0;
        var waits = new List<long>();
        for (var i = 0; i < 9; i++)
        {
            h.Node.OnDialFailed(contact, now);
            var next = NextDial(h, now);
            Assert.Equal(contact, h.Sink.Connects.Single().Peer);
            waits.Add(next - now);
            now = next;
        }
        // To the housekeeping's 200 ms grain: 0.5, 1, 2, 4, 8, 16 s, then the 30 s cap. Before the fix: 0.2 s each.
        Assert.Equal([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000], waits.Select(w => (w + 199) / 200 * 200 / 500 * 500).ToList());
        Assert.Equal(9, h.Metrics.Get("overlay_dial_failed"));
    }

    [Fact]
    public void APeerThatBannedThisNodeIsNotDialledUntilTheBanEnds()
    {
        using var h = new OverlayHarness();
        var contact = h.Key(1).PeerId;
        h.Node.Start([new PeerAddress(contact, AddressOf(1))], T0);
        var banEnd = T0 + 3_600_000;
        h.Node.OnDialFailed(contact, T0 + 50, banEnd);
        Assert.Equal(banEnd, h.Node.DialNotBefore(contact));
        var next = NextDial(h, T0 + 100, limit: 3_700_000);
        Assert.True(next >= banEnd, $"dialled {(next - T0) / 1000.0} s after the ban began, before its end (3600 s)");
        Assert.True(next < banEnd + 1000);
        Assert.Equal(1, h.Metrics.Get("overlay_dial_failed"));
    }

    [Fact]
    public void ASessionWithThePeerResetsItsBackoff()
    {
        using var h = new OverlayHarness();
        var contact = h.Key(1).PeerId;
        h.Node.Start([new PeerAddress(contact, AddressOf(1))], T0);
        for (var i = 0; i < 4; i++) h.Node.OnDialFailed(contact, T0);
        Assert.NotNull(h.Node.DialNotBefore(contact));
        h.Node.OnConnected(contact, T0 + 10);
        Assert.Null(h.Node.DialNotBefore(contact));
        h.Node.OnDisconnected(contact, T0 + 20); // a lost session is not a failed dial: the join is retried at once
        Assert.Equal(T0 + 200, NextDial(h, T0 + 200));
    }

    [Fact]
    public void APromotionCandidateWhoseDialFailedWaitsItsTurn()
    {
        using var h = new OverlayHarness();
        var a = h.AddNeighbor(1);
        var flaky = h.Key(6).PeerId;
        h.Node.OnMessage(a, new ShuffleReply([new PeerAddress(flaky, AddressOf(6))]), T0);
        Assert.Equal(T0 + 1000, NextDial(h, T0 + 1000));
        h.Node.OnDialFailed(flaky, T0 + 1000);
        // It was dropped from the passive view; a later shuffle brings it back, but the backoff still holds.
        h.Node.OnMessage(a, new ShuffleReply([new PeerAddress(flaky, AddressOf(6))]), T0 + 1100);
        var next = NextDial(h, T0 + 1100);
        Assert.True(next >= T0 + 1500, $"redialled after {next - T0 - 1000} ms");
    }

    [Theory]
    [InlineData("peer refused the session (Banned): banned until 2027-03-04 05:06:07Z")]
    [InlineData("refused 12D3KooWabc: banned until 2027-03-04 05:06:07Z")]
    public void TheBansEndIsReadFromEitherRefusal(string message)
    {
        var until = OverlayService.BannedUntil(new SessionException(DisconnectReason.Banned, message));
        Assert.Equal(new DateTimeOffset(2027, 3, 4, 5, 6, 7, TimeSpan.Zero), until);
        Assert.Null(OverlayService.BannedUntil(new SessionException(DisconnectReason.NotAllowed, message)));
        Assert.Null(OverlayService.BannedUntil(new SessionException(DisconnectReason.Banned, "banned until tomorrow")));
    }
}
