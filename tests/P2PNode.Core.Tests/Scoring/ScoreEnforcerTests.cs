using P2PNode.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Peers.Scoring;
using P2PNode.Transfer;
using P2PNode.Transport;
using P2PNode.Wire;
using P2PNode.Wire.Transfer;

namespace P2PNode.Core.Tests.Scoring;

// A guarded NodeHost (scorer + rate limiter + transfer) and an unguarded peer, over the in-memory transport.
public sealed class ScoreEnforcerTests : IAsyncLifetime
{
    private readonly MemoryNetwork _network = new();
    private readonly ManualClock _clock = new();
    private readonly NodeIdentity _guardId = NodeIdentity.Generate(), _peerId = NodeIdentity.Generate();
    private NodeHost _guard = null!, _peer = null!;
    private PeerScorer _scorer = null!;
    private TransferService _transfer = null!;

    private static readonly ScoringOptions Options = new() { FramesPerSecond = 20, FrameBurst = 20, RateViolationPenalty = 100 };

    public async Task InitializeAsync()
    {
        _guard = new NodeHost(_guardId, new MemoryTransport(_guardId.PeerId, _network), new TransportOptions(), new NodeMetrics(), NullLogger.Instance);
        _peer = new NodeHost(_peerId, new MemoryTransport(_peerId.PeerId, _network), new TransportOptions(), new NodeMetrics(), NullLogger.Instance);
        _scorer = new PeerScorer(Options, _clock, _guard.Metrics);
        var enforcer = new ScoreEnforcer(_guard, _scorer, new PeerRateLimiter(_scorer, _guard.Metrics));
        _transfer = new TransferService(_guard, new MemoryChunkStore(), new TransferOptions(), NullLogger.Instance);
        enforcer.Watch(_transfer);
        await _guard.StartAsync(default);
        await _peer.StartAsync(default);
    }

    public async Task DisposeAsync()
    {
        await _transfer.DisposeAsync();
        await _guard.DisposeAsync();
        await _peer.DisposeAsync();
    }

    private Task<PeerSession> DialGuardAsync() => _peer.ConnectAsync(_guard.ListenAddresses[0], _guardId.PeerId, default);

    [Fact]
    public async Task AFloodingPeerIsRateLimitedBannedDisconnectedAndRefusedOnReturn()
    {
        var session = await DialGuardAsync();
        for (var i = 0; i < 100; i++) session.TrySend(new Ping((ulong)i));
        await session.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(DisconnectReason.Banned, session.EndReason);
        Assert.True(_guard.Metrics.Get("rate_limited_frames") > 0);
        Assert.True(_scorer.IsBanned(_peerId.PeerId));

        var e = await Assert.ThrowsAsync<SessionException>(DialGuardAsync);
        Assert.Equal(DisconnectReason.Banned, e.Reason);
        await Eventually.UntilAsync(() => _guard.Metrics.Get("session_refused_banned") == 1, "refusal counted");

        _clock.Advance(Options.BanDuration);
        var again = await DialGuardAsync();
        Assert.True(await again.PingAsync(default) >= TimeSpan.Zero);
    }

    [Fact]
    public async Task AGraylistedPeersAnnouncementsAreIgnoredButItsConnectionKept()
    {
        var session = await DialGuardAsync();
        var id1 = Manifest.Describe(new byte[10], 1024).Id;
        session.TrySend(new Have(id1, 10));
        await Eventually.UntilAsync(() => _transfer.HoldersOf(id1).Count == 1, "first announcement");
        _scorer.Report(_peerId.PeerId, Offence.ForgedSignature);
        Assert.Equal(PeerStanding.Graylisted, _scorer.StandingOf(_peerId.PeerId));
        var id2 = Manifest.Describe(new byte[20], 1024).Id;
        session.TrySend(new Have(id2, 20));
        await session.PingAsync(default); // the Have was processed before the Pong came back
        Assert.Empty(_transfer.HoldersOf(id2));
        Assert.Equal(1, _guard.Metrics.Get("messages_ignored_filtered"));
        Assert.False(session.Completion.IsCompleted);
    }
}
