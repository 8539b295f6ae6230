using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Wire;

namespace P2PNode.Peers.Scoring;

/// <summary>
/// Scores of all peers, from offence reports (transfer, overlay, rate limiter). Decides graylisting and bans
/// from <see cref="ScoringOptions"/> thresholds, raises <see cref="Banned"/> when a peer crosses the ban
/// threshold, and answers admission checks. Time comes from an injected <see cref="TimeProvider"/>.
/// <paramref name="self"/> is the node's own id: a node never scores, graylists or bans itself (a report naming it
/// is counted as offence_self_ignored), whatever layer mistook its own input for a peer's.
/// </summary>
public sealed class PeerScorer(ScoringOptions options, TimeProvider? time = null, NodeMetrics? metrics = null, PeerId? self = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<PeerId, PeerScore> _scores = [];
    private readonly object _gate = new();

    public ScoringOptions Options { get; } = options;
    public TimeProvider Time => _time;

    /// <summary>Raised (outside the lock) when a peer is banned, with the ban's end.</summary>
    public event Action<PeerId, DateTimeOffset>? Banned;

    public double ScoreOf(PeerId peer)
    {
        lock (_gate) return _scores.TryGetValue(peer, out var s) ? s.ValueAt(_time.GetUtcNow()) : 0;
    }

    public PeerStanding StandingOf(PeerId peer)
    {
        lock (_gate) return Standing(peer, _time.GetUtcNow());
    }

    public bool IsGraylisted(PeerId peer) => StandingOf(peer) != PeerStanding.Good;
    public bool IsBanned(PeerId peer) => StandingOf(peer) == PeerStanding.Banned;

    public DateTimeOffset? BannedUntil(PeerId peer)
    {
        lock (_gate) return Standing(peer, _time.GetUtcNow()) == PeerStanding.Banned ? _scores[peer].BannedUntil : null;
    }

    /// <summary>Raised (outside the lock) when a peer in good standing becomes graylisted, with what it did
    /// (<paramref name="what"/> of <see cref="Report"/>, else the offence) and its score.</summary>
    public event Action<PeerId, string, double>? Graylisted;

    /// <summary>Applies the offence's penalty; returns the peer's standing afterwards. Entering the graylist is
    /// counted and raised here, whichever layer reported the offence (malformed frames, rate limits, forgeries).</summary>
    public PeerStanding Report(PeerId peer, Offence offence, string? what = null)
    {
        if (peer == self)
        {
            metrics?.Increment("offence_self_ignored");
            return PeerStanding.Good;
        }
        metrics?.Increment("offence_" + Transport.TransportException.ToSnake(offence.ToString()));
        DateTimeOffset? newBan = null;
        PeerStanding before, standing;
        double value;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            before = Standing(peer, now);
            if (!_scores.TryGetValue(peer, out var score))
            {
                if (_scores.Count >= Options.MaxTrackedPeers) Forget(now);
                _scores[peer] = score = new PeerScore(Options.HalfLife);
            }
            value = score.Add(-Options.PenaltyOf(offence), now);
            if (value <= Options.BanThreshold && !(score.BannedUntil > now))
                newBan = score.BannedUntil = now + Options.BanDuration;
            standing = Standing(peer, now);
        }
        if (before == PeerStanding.Good && standing == PeerStanding.Graylisted)
        {
            metrics?.Increment("peers_graylisted");
            Graylisted?.Invoke(peer, what ?? offence.ToString(), value);
        }
        if (newBan is { } until)
        {
            metrics?.Increment("peers_banned");
            Banned?.Invoke(peer, until);
        }
        return standing;
    }

    /// <summary>For <see cref="Node.NodeHost.AddAdmission"/>: refuses banned peers with Disconnect(Banned).</summary>
    public Disconnect? Admission(PeerId peer, Hello? hello) =>
        BannedUntil(peer) is { } until ? new Disconnect(DisconnectReason.Banned, $"banned until {until:u}") : null;

    /// <summary>For <see cref="Transport.TcpTransport.Admit"/>: refuses banned peers right after the handshake.</summary>
    public string? AdmitTransport(PeerId peer) => BannedUntil(peer) is { } until ? $"banned until {until:u}" : null;

    private PeerStanding Standing(PeerId peer, DateTimeOffset now)
    {
        if (!_scores.TryGetValue(peer, out var s)) return PeerStanding.Good;
        if (s.BannedUntil > now) return PeerStanding.Banned;
        return s.ValueAt(now) <= Options.GraylistThreshold ? PeerStanding.Graylisted : PeerStanding.Good;
    }

    // Bounded memory against many identities: drop unbanned peers whose score has nearly decayed, then if
    // still full the mildest half.
    private void Forget(DateTimeOffset now)
    {
        foreach (var (peer, s) in _scores.Where(kv => !(kv.Value.BannedUntil > now) && kv.Value.ValueAt(now) > -1).ToList())
            _scores.Remove(peer);
        if (_scores.Count < Options.MaxTrackedPeers) return;
        foreach (var peer in _scores.Where(kv => !(kv.Value.BannedUntil > now)).OrderByDescending(kv => kv.Value.ValueAt(now))
                     .Take(_scores.Count / 2).Select(kv => kv.Key).ToList())
            _scores.Remove(peer);
    }
}
