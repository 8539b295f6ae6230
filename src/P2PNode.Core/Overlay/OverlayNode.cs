using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Overlay.Broadcast;
using P2PNode.Wire;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay;

/// <summary>
/// One node of the gossip overlay as a pure state machine: HyParView membership (OverlayNode.Membership.cs)
/// and Plumtree broadcast (OverlayNode.Broadcast.cs, OverlayNode.Receive.cs). It owns no socket, no clock and
/// no thread: the driver calls the On* methods one at a time with the current time in milliseconds (Unix time
/// on a real node, virtual time in the simulator) and carries out what the node asks through its
/// <see cref="IOverlaySink"/>. Not thread-safe: the driver serialises calls.
/// </summary>
public sealed partial class OverlayNode
{
    private readonly OverlayOptions _o;
    private readonly NodeIdentity _identity;
    private readonly IOverlaySink _sink;
    private readonly NodeMetrics _metrics;
    private readonly Random _rng;
    private readonly IGossipValidator? _validator;
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);

    // Peers with a live connection, and since when (for the stray-connection rule).
    private readonly Dictionary<PeerId, long> _connected = [];
    private long _now;

    /// <param name="address">Where other nodes can dial this one (sent in Join, Neighbor and Shuffle).</param>
    /// <param name="rng">All random choices come from here: seed it for a reproducible simulation.</param>
    public OverlayNode(NodeIdentity identity, string address, OverlayOptions options, IOverlaySink sink, NodeMetrics metrics,
        Random rng, IGossipValidator? validator = null)
    {
        options.Validate();
        if (string.IsNullOrEmpty(address) || System.Text.Encoding.UTF8.GetByteCount(address) > WireLimits.MaxAddressLength)
            throw new ArgumentException($"the advertised address must be 1..{WireLimits.MaxAddressLength} bytes", nameof(address));
        _identity = identity;
        Address = address;
        _o = options;
        _sink = sink;
        _metrics = metrics;
        _rng = rng;
        _validator = validator;
        _seen = new SeenCache(Ms(options.SeenCacheTtl), Ms(options.MessageCacheTtl), options.SeenCacheCapacity);
        _replay = new ReplayWindow(options.ReplayWindow, options.MaxTrackedOrigins);
    }

    public PeerId Self => _identity.PeerId;
    public string Address { get; }
    public OverlayOptions Options => _o;
    public IReadOnlyList<PeerId> ActiveView => _active.Items;
    public IReadOnlyList<PeerId> PassiveView => _passive.Items;
    public IReadOnlyCollection<PeerId> EagerPeers => _eager;
    public IReadOnlyCollection<PeerId> LazyPeers => _lazy;
    public IReadOnlyCollection<PeerId> Connected => _connected.Keys;

    /// <summary>Deliver messages of this topic to the application (and validate them with the validator).</summary>
    public void Subscribe(string topic) => _topics.Add(topic);
    /// <summary>True when a message of this id was verified here already (a copy now is a duplicate).</summary>
    public bool HasSeen(MessageId id) => _seen.TryGet(id, out _);

    public void Unsubscribe(string topic) => _topics.Remove(topic);
    public bool IsSubscribed(string topic) => _topics.Contains(topic);

    public void OnConnected(PeerId peer, long nowMs)
    {
        _now = nowMs;
        _connected.TryAdd(peer, nowMs);
        _dialBackoff.Remove(peer);
        if (_dials.Remove(peer, out var dial)) CompleteDial(peer, dial);
    }

    public void OnDisconnected(PeerId peer, long nowMs)
    {
        _now = nowMs;
        _connected.Remove(peer);
        MembershipLost(peer);
    }

    /// <summary>A message from a connected peer. Messages that are not overlay messages are ignored.</summary>
    /// <param name="check">For a <see cref="GossipMessage"/>: its id and signature verdict computed by the driver
    /// before it serialised the call (<see cref="GossipCheck"/>); null: the node computes them.</param>
    public void OnMessage(PeerId peer, WireMessage message, long nowMs, GossipCheck? check = null)
    {
        _now = nowMs;
        switch (message)
        {
            case GossipMessage g: OnGossip(peer, g, check); break;
            case IHave h: OnIHave(peer, h); break;
            case Graft g: OnGraft(peer, g); break;
            case Prune: OnPrune(peer); break;
            case Join j: OnJoin(peer, j); break;
            case ForwardJoin f: OnForwardJoin(peer, f); break;
            case Neighbor n: OnNeighbor(peer, n); break;
            case NeighborReply r: OnNeighborReply(peer, r); break;
            case Detach: OnDetach(peer); break;
            case Shuffle s: OnShuffle(peer, s); break;
            case ShuffleReply s: Integrate(s.Entries); break;
        }
    }

    /// <summary>Call every <see cref="OverlayOptions.TickInterval"/>: timeouts, view repair, shuffles, lazy pushes.</summary>
    public void OnTimer(long nowMs)
    {
        _now = nowMs;
        MembershipTick();
        BroadcastTick();
    }

    private static long Ms(TimeSpan t) => (long)t.TotalMilliseconds;

    private void Count(string name) => _metrics.Increment(name);

    private void Offend(PeerId peer, OverlayOffence offence, string counter)
    {
        _metrics.Increment(counter);
        _sink.Offence(peer, offence);
    }
}
