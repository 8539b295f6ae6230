using P2PNode.Identity;
using P2PNode.Node;
using P2PNode.Overlay;
using P2PNode.Transfer;
using P2PNode.Wire;
using P2PNode.Wire.Gossip;

namespace P2PNode.Peers.Scoring;

/// <summary>
/// Puts a <see cref="PeerScorer"/> to work on a <see cref="NodeHost"/>: refuses banned peers (Disconnect Banned),
/// closes the sessions of a peer when it gets banned, ignores gossip and announcements from graylisted peers
/// (spot-checking their gossip for forgeries, <see cref="GraylistedGossipCheck"/>),
/// rate-limits every connection, and turns transfer and overlay offences into score reports.
/// </summary>
public sealed class ScoreEnforcer
{
    private readonly NodeHost _host;

    public ScoreEnforcer(NodeHost host, PeerScorer scorer, PeerRateLimiter? limiter = null)
    {
        _host = host;
        Scorer = scorer;
        host.AddAdmission(scorer.Admission);
        if (limiter is not null) host.WrapConnection = limiter.Wrap;
        GraylistedGossip = new GraylistedGossipCheck(scorer, host.Metrics);
        host.AcceptMessage = (s, m) =>
        {
            if (!IgnoredWhenGraylisted(m.Type) || !scorer.IsGraylisted(s.RemotePeer)) return true;
            // Dropped unprocessed, but a forger must not forge on for free: spot-check its gossip.
            if (m is GossipMessage g) GraylistedGossip.OnDropped(s.RemotePeer, g);
            return false;
        };
        scorer.Banned += OnBanned;
    }

    public PeerScorer Scorer { get; }

    /// <summary>The spot checks on graylisted peers' gossip.</summary>
    public GraylistedGossipCheck GraylistedGossip { get; }

    public void Watch(TransferService transfer) => transfer.OffenceDetected += (peer, o) => Scorer.Report(peer, o);

    public void Watch(OverlayService overlay) => overlay.OffenceDetected += (peer, o) => Scorer.Report(peer, FromOverlay(o));

    /// <summary>Overlay offences in scoring terms: a bad origin signature is a forgery, everything else invalid input.</summary>
    public static Offence FromOverlay(OverlayOffence o) => o == OverlayOffence.BadSignature ? Offence.ForgedSignature : Offence.InvalidMessage;

    // Gossip (16..63) and transfer announcements/requests; answers to our own requests still get through, so a
    // graylisted peer can still be useful while its score recovers.
    private static bool IgnoredWhenGraylisted(MessageType t) =>
        (uint)t is >= 16 and <= 63 || t is MessageType.Have or MessageType.GetManifest or MessageType.GetChunk;

    private void OnBanned(PeerId peer, DateTimeOffset until)
    {
        foreach (var s in _host.Sessions.Where(s => s.RemotePeer == peer))
            _ = s.CloseAsync(DisconnectReason.Banned, $"banned until {until:u}");
    }
}
