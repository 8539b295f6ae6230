namespace P2PNode.Overlay;

/// <summary>
/// Every tunable of the gossip overlay (HyParView membership + Plumtree broadcast), in one place. Defaults suit
/// networks of tens to a few thousand nodes; the simulator (`p2pnode sim overlay`) measured them at 500 nodes.
/// </summary>
public sealed record OverlayOptions
{
    // ---- Membership (HyParView) ----

    /// <summary>Peers kept connected and used for broadcast. log10(N)+1 suffices for connectivity up to ~10^4
    /// nodes; more costs connections and duplicate traffic, fewer makes the overlay fragile under churn.</summary>
    public int ActiveViewSize { get; init; } = 5;

    /// <summary>Known-but-unconnected peers, the reserve that replaces failed neighbours. About 6x the active
    /// view: large enough that a failure can be repaired from it even after heavy churn.</summary>
    public int PassiveViewSize { get; init; } = 30;

    /// <summary>ARWL: hops a ForwardJoin walks before the new node is taken into an active view. Longer walks
    /// spread newcomers further from their contact.</summary>
    public uint ActiveRandomWalkLength { get; init; } = 6;

    /// <summary>PRWL: at this remaining ttl a ForwardJoin also adds the new node to the passive view. Must be
    /// below <see cref="ActiveRandomWalkLength"/>.</summary>
    public uint PassiveRandomWalkLength { get; init; } = 3;

    /// <summary>How often a node starts a Shuffle walk to refresh its passive view (jittered by +-25%).</summary>
    public TimeSpan ShuffleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Ttl of a Shuffle walk.</summary>
    public uint ShuffleWalkLength { get; init; } = 4;

    /// <summary>Active-view peers (ka) and passive-view peers (kp) sampled into a Shuffle, besides the origin.</summary>
    public int ShuffleActiveCount { get; init; } = 3;
    public int ShufflePassiveCount { get; init; } = 4;

    /// <summary>A dial that has not produced a connection by then counts as failed (the peer leaves the passive view).</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A Neighbor request unanswered for this long is abandoned and its connection closed.</summary>
    public TimeSpan NeighborTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>After a rejected Neighbor request, wait this long before asking another passive peer, so a
    /// node whose neighbours are all full does not hammer them; each further refusal in a row doubles the wait,
    /// up to <see cref="PromoteBackoffMax"/>.</summary>
    public TimeSpan PromoteBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between low-priority Neighbor requests after refusals in a row. In a small network
    /// whose views are all full a node can sit one short of <see cref="ActiveViewSize"/> for the whole run: it
    /// asked again twice a second (an 8-node run opened and closed 2,600 sessions per node in 30 minutes, each
    /// with a handshake and a full ledger heads message, more bytes than its model updates). Losing a neighbour
    /// or being accepted resets the wait.</summary>
    public TimeSpan PromoteBackoffMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>After a failed dial, the same peer is not dialled again for this long; each further failure in a
    /// row doubles the wait, up to <see cref="DialBackoffMax"/>; a session with the peer resets it. A refusal that
    /// names a ban's end ("banned until ...") keeps the peer undialled until then. Without it a node whose only
    /// bootstrap contact had banned it redialled it three times a second (6,185 refusals in one run, issue 11).</summary>
    public TimeSpan DialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between dials of one peer after failures in a row (bans excepted: their end).</summary>
    public TimeSpan DialBackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>With no neighbour and no passive peer left, retry joining through a bootstrap contact this often.</summary>
    public TimeSpan JoinRetryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A connection that is in neither view nor in use by a pending request is closed after this
    /// (with Detach). It also heals one-sided views: if a peer dropped us, its side closes the link.</summary>
    public TimeSpan StrayConnectionGrace { get; init; } = TimeSpan.FromSeconds(5);

    // ---- Broadcast (Plumtree) ----

    /// <summary>Plumtree (eager tree + lazy repair) or plain flooding to every neighbour (the baseline).</summary>
    public BroadcastMode Mode { get; init; } = BroadcastMode.Plumtree;

    /// <summary>How often the driver calls OnTimer. Lazy IHAVE announcements are batched per tick, so this also
    /// bounds how late they leave. 50 ms is well below link latencies that matter for repair.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>After the first IHAVE for a missing message, wait this long for the eager copy before sending
    /// GRAFT. Longer means fewer needless grafts (duplicates); shorter means faster repair after failures.
    /// (200 ms alone also meets the hop target, p99 17, but with less margin than the hop-aware early graft
    /// below, which only hurries grafts that shorten paths; docs/overlay.md, "Measured".)</summary>
    public TimeSpan IHaveTimeout { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Hop-aware early graft: a missing message announced by a lazy peer whose copy would arrive with at
    /// least this many hops fewer than the node's running average of first-copy hops is grafted after
    /// <see cref="ShortPathGraftTimeout"/> instead of <see cref="IHaveTimeout"/>. The graft makes that short
    /// link eager and the slower tree copy, arriving later as a duplicate, prunes the long one, so the shared
    /// tree drifts toward short paths (Plumtree's own optimisation only acts once the message has arrived and
    /// is damped by <see cref="OptimizationCooldown"/>). Measured at 500 nodes, 30% churn (docs/overlay.md,
    /// "Measured"): 2 turns p99 hops 20-21 into 15-16 over three seeds, payload copies per delivery 1.40 ->
    /// 1.44-1.46 (target 1.5); 1 costs 1.49 copies for no gain, 3 gives p99 17. 0 disables.</summary>
    public uint ShortPathGraftMargin { get; init; } = 2;

    /// <summary>The graft delay for clearly closer announcers (see <see cref="ShortPathGraftMargin"/>): about one
    /// link latency, so an eager copy already on its way still wins. 50 ms reached 1.49 copies, 150 ms p99 17.</summary>
    public TimeSpan ShortPathGraftTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Payloads larger than this (bytes) are never pushed down the tree: every neighbour gets an IHAVE
    /// at once and pulls the message with one GRAFT, so each node receives exactly one copy. Plumtree pushes
    /// eagerly for latency, and for small messages the duplicates its repair and grafts cause are cheap; for
    /// model deltas (tens of KB to MBs) each one is a whole extra copy: pulling cut an 8-node swarm's bytes by
    /// 22% (docs/overlay.md section 5, "Large payloads"). Costs one extra round trip per hop, and an IHAVE (tens of
    /// bytes) per neighbour: pulling pays from about a kilobyte, so 4 KiB keeps statuses and other small messages
    /// pushed and pulls every model delta, including top-1% ones of a few KB. 0 pushes everything.</summary>
    public int LazyPushBytes { get; init; } = 4 * 1024;

    /// <summary>After pulling a large payload (see <see cref="LazyPushBytes"/>), wait this long for it before asking
    /// the next announcer. Longer than <see cref="GraftRetryTimeout"/>: a copy of tens of KB to MBs queued behind
    /// other traffic on a busy node takes a while, and each early retry costs a whole duplicate copy.</summary>
    public TimeSpan PullRetryTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>After a GRAFT, wait this long before grafting the next announcer of the same message.</summary>
    public TimeSpan GraftRetryTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>When a lazy peer announces a message with at least this many fewer hops than the eager copy
    /// took, the lazy link replaces the eager one (Plumtree's tree optimisation; keeps paths short). 0 disables.</summary>
    public uint OptimizationThreshold { get; init; } = 3;

    /// <summary>At most one such swap per node per this interval. The tree is shared by all origins: a swap that
    /// shortens paths from one origin can lengthen them from another, and without damping the tree thrashes.</summary>
    public TimeSpan OptimizationCooldown { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A new neighbour is sent IHAVE for the messages received this recently (at most MaxIHaveIds),
    /// so a node cut off by failures catches up through its replacement links. Zero disables; must not exceed
    /// <see cref="MessageCacheTtl"/> (older messages could not be served).</summary>
    public TimeSpan AnnounceOnNeighborUp { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Ids per IHAVE a node sends and accepts; an announcement with more is rejected as oversized
    /// (the wire allows up to 1024, this node's own bound is lower).</summary>
    public int MaxIHaveIds { get; init; } = 256;

    /// <summary>Bound on announced-but-missing ids tracked at once, so IHAVE floods cannot grow memory.</summary>
    public int MaxMissingTracked { get; init; } = 10_000;

    /// <summary>Ids of accepted messages are remembered this long (dedup, duplicate detection). Must exceed
    /// <see cref="MaxMessageAge"/>: anything older than the cache's horizon is rejected by age instead.</summary>
    public TimeSpan SeenCacheTtl { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Hard cap on remembered ids; the oldest go first beyond it.</summary>
    public int SeenCacheCapacity { get; init; } = 200_000;

    /// <summary>Full messages are kept this long to answer GRAFTs (memory: rate x payload x this).</summary>
    public TimeSpan MessageCacheTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages whose timestamp is older than this (by the receiver's clock) are rejected as stale.</summary>
    public TimeSpan MaxMessageAge { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Messages stamped further than this in the future are rejected (clock skew allowance).</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Per-origin anti-replay window, in sequence numbers (multiple of 64): an origin's message more
    /// than this far behind its newest, or already seen within it, is a replay.</summary>
    public int ReplayWindow { get; init; } = 256;

    /// <summary>Origins whose replay window is tracked; the least recently active is forgotten beyond it.</summary>
    public int MaxTrackedOrigins { get; init; } = 4096;

    /// <summary>Largest payload this node relays (at most the wire limit, 4 MiB - 1 KiB). Bigger objects are
    /// announced by content hash and fetched in chunks.</summary>
    public int MaxPayloadBytes { get; init; } = 1024 * 1024;

    /// <summary>Relay messages of topics this node does not subscribe to (validated by signature only), so
    /// the overlay stays one connected graph. When false they are ignored and not forwarded.</summary>
    public bool RelayUnsubscribedTopics { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent setting.</summary>
    public void Validate()
    {
        if (ActiveViewSize < 1) throw new ArgumentException("ActiveViewSize must be at least 1");
        if (PromoteBackoffMax < PromoteBackoff) throw new ArgumentException("PromoteBackoffMax must be at least PromoteBackoff");
        if (DialBackoff <= TimeSpan.Zero || DialBackoffMax < DialBackoff) throw new ArgumentException("need 0 < DialBackoff <= DialBackoffMax");
        if (PassiveViewSize < 1) throw new ArgumentException("PassiveViewSize must be at least 1");
        if (PassiveRandomWalkLength >= ActiveRandomWalkLength || ActiveRandomWalkLength > Wire.Gossip.GossipLimits.MaxWalkTtl)
            throw new ArgumentException("need PassiveRandomWalkLength < ActiveRandomWalkLength <= 16");
        if (ShuffleWalkLength > Wire.Gossip.GossipLimits.MaxWalkTtl) throw new ArgumentException("ShuffleWalkLength must be at most 16");
        if (1 + ShuffleActiveCount + ShufflePassiveCount > Wire.Gossip.GossipLimits.MaxShuffleEntries)
            throw new ArgumentException("a Shuffle carries at most 32 entries");
        if (TickInterval <= TimeSpan.Zero) throw new ArgumentException("TickInterval must be positive");
        if (ShortPathGraftTimeout < TimeSpan.Zero || ShortPathGraftTimeout > IHaveTimeout)
            throw new ArgumentException("ShortPathGraftTimeout must be in 0..IHaveTimeout");
        if (LazyPushBytes < 0) throw new ArgumentException("LazyPushBytes must be at least 0");
        if (PullRetryTimeout <= TimeSpan.Zero) throw new ArgumentException("PullRetryTimeout must be positive");
        if (MaxIHaveIds is < 1 or > Wire.Gossip.GossipLimits.MaxAnnouncedIds) throw new ArgumentException("MaxIHaveIds must be in 1..1024");
        if (SeenCacheTtl <= MaxMessageAge) throw new ArgumentException("SeenCacheTtl must exceed MaxMessageAge");
        if (AnnounceOnNeighborUp > MessageCacheTtl) throw new ArgumentException("AnnounceOnNeighborUp must not exceed MessageCacheTtl");
        if (ReplayWindow < 64 || ReplayWindow % 64 != 0) throw new ArgumentException("ReplayWindow must be a positive multiple of 64");
        if (MaxPayloadBytes < 0 || MaxPayloadBytes > Wire.Gossip.GossipLimits.MaxPayloadLength)
            throw new ArgumentException("MaxPayloadBytes must be at most the wire limit (4 MiB - 1 KiB)");
    }
}
